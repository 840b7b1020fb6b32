using Xunit;

namespace DaprChat.Deploy.Tests;

public static class Problems
{
    /// <summary>Fails with every problem listed, one a line.</summary>
    public static void AssertNone(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{list.Count} problem(s):\n  " + string.Join("\n  ", list));
    }

    /// <summary>The rule reports the break: at least one problem containing <paramref name="fragment"/>.</summary>
    public static void AssertFound(IEnumerable<string> problems, string fragment)
    {
        var list = problems.ToList();
        Assert.True(list.Any(p => p.Contains(fragment, StringComparison.Ordinal)),
            $"expected a problem mentioning \"{fragment}\", got {list.Count}:\n  " + string.Join("\n  ", list));
    }
}
