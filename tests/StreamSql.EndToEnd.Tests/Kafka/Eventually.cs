namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Waits for a condition with a deadline, checking it every 100 ms; fails the test with a message if it never holds.</summary>
internal static class Eventually
{
    public static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0}s waiting for: {describe()}");
            }

            await Task.Delay(100);
        }
    }
}
