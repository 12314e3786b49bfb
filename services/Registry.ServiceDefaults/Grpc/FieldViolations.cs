using System.Text;
using Google.Rpc;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Collects every bad field of a request, so that a caller learns all of them at once,
/// then throws one InvalidArgument naming them.
/// </summary>
public sealed class FieldViolations
{
    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    public bool Any => _violations.Count > 0;

    public void Add(string field, string description) =>
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });

    /// <summary>
    /// A free-text field: required or not, at most <paramref name="maxLength"/> characters, no
    /// control characters, no lone surrogates (invalid UTF-16 cannot be stored or exported).
    /// Returns the trimmed value, or null when absent.
    /// </summary>
    public string? Text(string field, string? value, int maxLength, bool required)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        if (trimmed.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Add(field, "must not contain control characters");
        }
        else if (!IsWellFormed(trimmed))
        {
            Add(field, "must be well-formed Unicode");
        }
        else
        {
            return trimmed.Normalize(NormalizationForm.FormC);
        }

        return null;
    }

    public Guid? Uuid(string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        if (Guid.TryParse(value, out var id))
        {
            return id;
        }

        Add(field, "must be a UUID");
        return null;
    }

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw RpcErrors.InvalidArgument(_violations);
        }
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
