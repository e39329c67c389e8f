namespace StreamSql.EndToEnd.Tests;

/// <summary>Waits for a condition with a deadline, checking it often; never a fixed sleep standing in for a result.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {seconds} s waiting until {what}");
            }

            await Task.Delay(20);
        }
    }
}
