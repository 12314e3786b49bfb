namespace Registry.Intake.Domain.Linkage;

/// <summary>How one field of two records compares (the proto's ComparisonLevel).</summary>
public enum ComparisonLevel
{
    /// <summary>The same (names by their cross-script keys; dates as far as both are known).</summary>
    Agree = 1,
    /// <summary>Nearly the same: names similar (Jaro-Winkler), a birth date one day or one year off, a capture a few days apart.</summary>
    Close = 2,
    /// <summary>Different.</summary>
    Disagree = 3,
    /// <summary>Unknown on either side: neutral, weight 0.</summary>
    Unknown = 4,
}

/// <summary>One field's comparison: its level, the finer outcome behind it, and the weight it adds (log2 m/u, in bits).</summary>
public sealed record FieldComparison(string Field, ComparisonLevel Level, string Outcome, double Weight)
{
    /// <summary>The comparison as a reason a coordinator reads, e.g. "family_name agree (+4.1)".</summary>
    public override string ToString() => FormattableString.Invariant($"{Field} {Outcome} ({Weight:+0.0;-0.0;0})");
}

/// <summary>
/// The Fellegi-Sunter comparison of two records: the per-field comparisons, their sum (the match weight,
/// bits), and the match probability given the prior odds of a match among the pairs blocking lets through.
/// </summary>
public sealed record LinkageScore(double MatchWeight, double Probability, IReadOnlyList<FieldComparison> Comparisons)
{
    public bool IsCandidate => MatchWeight >= LinkageModel.Threshold;
}
