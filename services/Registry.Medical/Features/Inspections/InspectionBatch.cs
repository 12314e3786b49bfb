using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Grpc;
using Encounter = Registry.Medical.Domain.Encounter;
using EncounterKind = Registry.Protos.Medical.V1.EncounterKind;

namespace Registry.Medical.Features.Inspections;

/// <summary>A batch whose shared fields were checked: each person's inspection as the RecordEncounter request it stands for.</summary>
public sealed record InspectionBatch(Guid RequestId, IReadOnlyList<RecordEncounterRequest> Persons);

/// <summary>Checks a batch of inspections: its shared fields at once (INVALID_ARGUMENT for the whole call), each person later on its own.</summary>
public static class InspectionBatchValidator
{
    /// <summary>
    /// At most this many persons per call, within what the access audit names of one call
    /// (<see cref="ServiceDefaults.Security.ProtoCaseFields.MaxCaseIds"/>), so every person is in its audit record; a facility
    /// larger than that is inspected in several calls.
    /// </summary>
    public const int MaxPersons = 200;

    /// <summary>The namespace of the inspections' derived request ids (UUIDv5, RFC 9562 §5.5); never change it, or replays record twice.</summary>
    private static readonly Guid InspectionNamespace = new("6f1c0c52-5b7e-4e36-9a55-9a0f0e0c3d21");

    public static InspectionBatch Validate(RecordInspectionsRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        errors.PastTimestamp("occurred_at", request.OccurredAt, now, required: true);
        errors.Text("place", request.Place, Encounter.PlaceMaxLength, required: true);
        errors.Text("clinician", request.Clinician, Encounter.ClinicianMaxLength, required: true);
        if (request.Inspections.Count == 0)
        {
            errors.Add("inspections", "is required: at least one person");
        }
        else if (request.Inspections.Count > MaxPersons)
        {
            errors.Add("inspections", $"must hold at most {MaxPersons} persons; inspect a larger facility in several calls");
        }

        errors.ThrowIfAny();
        var persons = request.Inspections.Select(p =>
        {
            var person = new RecordEncounterRequest
            {
                CaseId = p.CaseId,
                Kind = EncounterKind.Inspection,
                OccurredAt = request.OccurredAt,
                Place = request.Place,
                Clinician = request.Clinician,
                Notes = p.Notes,
                Findings = { p.Findings },
                ResolvedConditionIds = { p.ResolvedConditionIds },
            };
            // Keyed by the batch and the case as spelled in any UUID form: the same person in a replayed batch, the same key.
            person.RequestId = ItemRequestId(requestId!.Value, p.CaseId).ToString();
            return person;
        }).ToList();
        return new InspectionBatch(requestId!.Value, persons);
    }

    /// <summary>
    /// The request id of one person's inspection: a name-based UUID (version 5, SHA-1, RFC 9562 §5.5) of the batch's
    /// request id and the case id, both canonical when the case id is a UUID, so that a replayed batch replays every
    /// person's inspection and two batches never share one.
    /// </summary>
    public static Guid ItemRequestId(Guid batchRequestId, string caseId)
    {
        var canonicalCase = Guid.TryParse(caseId.Trim(), out var id) ? id.ToString("D") : caseId;
        var name = Encoding.UTF8.GetBytes($"{batchRequestId:D}/inspections/{canonicalCase}");
        var space = InspectionNamespace.ToByteArray(bigEndian: true);
        var hash = SHA1.HashData([.. space, .. name]);
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
