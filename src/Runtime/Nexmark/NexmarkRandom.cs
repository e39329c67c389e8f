namespace StreamSql.Runtime.Nexmark;

/// <summary>SplitMix64: a small, fast, seedable random stream; each event gets its own, seeded by (seed, event id).</summary>
internal struct NexmarkRandom
{
    private ulong _state;

    public NexmarkRandom(long seed, long stream)
    {
        _state = Mix((ulong)seed * 0x9E3779B97F4A7C15UL ^ Mix((ulong)stream + 0xD1B54A32D192ED03UL));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Moves the stream past count draws without making them (each draw advances the state by the same step).</summary>
    public void Skip(long count) => _state += unchecked((ulong)count * 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, bound).</summary>
    public int NextInt(int bound) => (int)Math.BigMul(NextULong(), (ulong)bound, out _);

    /// <summary>Uniform in [0, bound).</summary>
    public long NextLong(long bound) => (long)Math.BigMul(NextULong(), (ulong)bound, out _);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
}
