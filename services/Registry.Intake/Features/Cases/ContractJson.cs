using Google.Protobuf;

namespace Registry.Intake.Features.Cases;

/// <summary>
/// Contract messages stored as JSON (an issued capture card, a notification's payload): read back
/// tolerating fields added to the contract since they were written.
/// </summary>
public static class ContractJson
{
    public static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string Format(IMessage message) => JsonFormatter.Default.Format(message);
}
