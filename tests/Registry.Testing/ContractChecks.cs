using Xunit;
using System.Text.RegularExpressions;

namespace Registry.Testing;

/// <summary>
/// Checks that keep the contract (protos/) and the code saying the same thing: the limits the proto
/// comments promise, and the enums the mappings cast between.
/// </summary>
public static partial class ContractChecks
{
    /// <summary>
    /// Every "at most N characters", "at most N" or "1 to N" (page sizes; N may be written 1,000) a proto file's field comments state, keyed
    /// "Message.field" (the comment lines right above the field).
    /// </summary>
    public static IReadOnlyDictionary<string, int> StatedLimits(string protoRelativePath)
    {
        var limits = new Dictionary<string, int>();
        var message = "";
        var comment = new List<string>();
        foreach (var raw in File.ReadLines(Path.Combine(RepositoryRoot(), protoRelativePath)))
        {
            var line = raw.Trim();
            if (MessageLine().Match(line) is { Success: true } m)
            {
                message = m.Groups[1].Value;
                comment.Clear();
            }
            else if (line.StartsWith("//", StringComparison.Ordinal))
            {
                comment.Add(line);
            }
            else if (FieldLine().Match(line) is { Success: true } f)
            {
                if (AtMost().Match(string.Join(' ', comment)) is { Success: true } limit)
                {
                    limits[$"{message}.{f.Groups[1].Value}"] = int.Parse(limit.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
                }

                comment.Clear();
            }
            else
            {
                comment.Clear();
            }
        }

        return limits;
    }

    /// <summary>
    /// Asserts that the limits a proto states are exactly <paramref name="expected"/> (field → the code's
    /// constant): a comment that drifts from its constant, a stated limit no constant backs, or a constant
    /// whose field the proto does not document all fail.
    /// </summary>
    public static void AssertStatedLimits(string protoRelativePath, IReadOnlyDictionary<string, int> expected)
    {
        var stated = StatedLimits(protoRelativePath);
        var problems = new List<string>();
        foreach (var (field, value) in expected)
        {
            if (!stated.TryGetValue(field, out var inProto))
            {
                problems.Add($"{field}: the code limits it to {value}, the proto states no limit");
            }
            else if (inProto != value)
            {
                problems.Add($"{field}: the proto says at most {inProto}, the code {value}");
            }
        }

        problems.AddRange(stated.Keys.Except(expected.Keys).Select(f => $"{f}: the proto states at most {stated[f]}, no constant is checked against it"));
        Assert.True(problems.Count == 0, $"{protoRelativePath}:\n" + string.Join('\n', problems));
    }

    /// <summary>
    /// Asserts that a domain enum and the proto enum it is cast to agree value by value: each domain
    /// member has a proto member of the same name and number (the proto's UNSPECIFIED = 0 has no twin).
    /// </summary>
    public static void AssertAligned<TDomain, TProto>()
        where TDomain : struct, Enum
        where TProto : struct, Enum
    {
        foreach (var value in Enum.GetValues<TDomain>())
        {
            var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Enum.IsDefined(typeof(TProto), number), $"{typeof(TDomain).Name}.{value} = {number} has no {typeof(TProto).FullName} of that number");
            Assert.Equal(value.ToString(), Enum.GetName(typeof(TProto), number));
        }

        Assert.Equal(Enum.GetValues<TDomain>().Length, Enum.GetValues<TProto>().Count(p => Convert.ToInt32(p, System.Globalization.CultureInfo.InvariantCulture) != 0));
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Registry.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Registry.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^message\s+(\w+)\s*\{")]
    private static partial Regex MessageLine();

    [GeneratedRegex(@"^(?:repeated\s+|optional\s+)?[\w.]+\s+(\w+)\s*=\s*\d+\s*;")]
    private static partial Regex FieldLine();

    // "1,000": thousands may be written with a comma.
    [GeneratedRegex(@"(?:at most|1 to) (\d{1,3}(?:,\d{3})+|\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex AtMost();
}
