using Registry.Intake.Domain;
using Registry.ServiceDefaults.Grpc;
using ProtoSource = Registry.Protos.Intake.V1.AssertionSource;
using ProtoSourceKind = Registry.Protos.Intake.V1.SourceKind;

namespace Registry.Intake.Features.Identity;

internal static class SourceReader
{
    /// <summary>An assertion's source; a document needs its type, a third party its name.</summary>
    public static AssertionSource Read(ProtoSource? source, FieldViolations errors, string path, bool required)
    {
        if (source is null)
        {
            if (required)
            {
                errors.Add(path, "is required");
            }

            return AssertionSource.Unrecorded;
        }

        var kind = errors.Enum($"{path}.kind", source.Kind, required);
        var documentType = errors.Text($"{path}.document_type", source.DocumentType, AssertionSource.DocumentTypeMaxLength, required: kind == ProtoSourceKind.Document);
        var documentNumber = errors.Text($"{path}.document_number", source.DocumentNumber, AssertionSource.DocumentNumberMaxLength, required: false);
        var reportedBy = errors.Text($"{path}.reported_by", source.ReportedBy, AssertionSource.ReportedByMaxLength, required: kind == ProtoSourceKind.ThirdParty);
        var note = errors.Text($"{path}.note", source.Note, AssertionSource.NoteMaxLength, required: false);
        return new AssertionSource(kind is { } k ? (SourceKind)(int)k : SourceKind.Unrecorded, documentType, documentNumber, reportedBy, note);
    }
}
