using Registry.ServiceDefaults.Validation;
namespace Registry.Custody.Domain;

/// <summary>A person at an interview other than the person interviewed: a name or service reference, their agency and function.</summary>
public sealed record InterviewParticipant(string Name, string Agency, string? Function)
{
    public const int NameMaxLength = 200;
    public const int AgencyMaxLength = 200;
    public const int FunctionMaxLength = 200;
}

/// <summary>What a custodian stated about an interview, as <see cref="Interview.Of"/> takes it.</summary>
public sealed record InterviewStatement(
    DateTimeOffset StartedAt, int DurationMinutes, Facility Place, string InterviewingAgency, string Interviewer, string Language,
    InterviewParticipant? Interpreter, IReadOnlyList<InterviewParticipant> Present, string? OverrideReason);

/// <summary>
/// That a person in custody was interviewed (GC III Art. 17: questioning): when, where, how long, by which agency and
/// interviewer, in which language, through which interpreter and in whose presence, and medical's answer on fitness
/// for interview at that instant. By design it holds nothing of what was said: there is no field for it, so the
/// registry cannot become the place where an interrogation's content is kept. Never changed once entered.
/// </summary>
public sealed class Interview
{
    /// <summary>The longest single interview recorded, in minutes (12 hours); a longer questioning is several interviews.</summary>
    public const int MaxDurationMinutes = 720;
    /// <summary>At most this many others present (besides the interviewer and the interpreter).</summary>
    public const int MaxPresent = 20;
    public const int InterviewerMaxLength = 200;
    public const int LanguageMaxLength = 35;
    public const int OverrideReasonMaxLength = 1000;
    public const int FitnessMaxLength = 1500;

    private Interview()
    {
    }

    public long Id { get; private set; }
    public Guid InterviewId { get; private set; }
    public Guid CaseId { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public int DurationMinutes { get; private set; }
    public Facility Place { get; private set; } = null!;
    public string InterviewingAgency { get; private set; } = "";
    public string Interviewer { get; private set; } = "";
    /// <summary>A BCP 47 tag (RFC 5646) whose language is ISO 639, e.g. "ko".</summary>
    public string Language { get; private set; } = "";
    public InterviewParticipant? Interpreter { get; private set; }
    public List<InterviewParticipant> Present { get; private set; } = [];
    /// <summary>Medical's answer to the fitness question (<c>FitnessCheck.Describe</c>), with any override.</summary>
    public string Fitness { get; private set; } = "";
    public string? FitnessAssessmentId { get; private set; }
    public string? OverrideReason { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    /// <summary>The agency and client of the token that recorded it (never the request's word).</summary>
    public string RecordedByAgency { get; private set; } = "";
    public string RecordedByClient { get; private set; } = "";
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    public static Interview Of(
        CustodyRecord record, InterviewStatement s, string fitness, string? fitnessAssessmentId, string recordedByAgency, string recordedByClient,
        Guid requestId, byte[] requestHash, DateTimeOffset now) => new()
    {
        InterviewId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        StartedAt = s.StartedAt,
        DurationMinutes = s.DurationMinutes,
        Place = s.Place,
        InterviewingAgency = s.InterviewingAgency,
        Interviewer = s.Interviewer,
        Language = s.Language,
        Interpreter = s.Interpreter,
        Present = [.. s.Present],
        Fitness = TextRules.Cut(fitness, FitnessMaxLength),
        FitnessAssessmentId = fitnessAssessmentId,
        OverrideReason = s.OverrideReason,
        RecordedAt = now,
        RecordedByAgency = recordedByAgency,
        RecordedByClient = recordedByClient,
        RequestId = requestId,
        RequestHash = requestHash,
    };

    /// <summary>Whether <paramref name="agency"/> took part: as the interviewing agency, the interpreter's, or among those present.</summary>
    public bool TookPart(string agency) =>
        InterviewingAgency == agency || Interpreter?.Agency == agency || Present.Any(p => p.Agency == agency);
}
