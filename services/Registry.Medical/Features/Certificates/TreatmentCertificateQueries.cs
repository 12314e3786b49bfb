using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Medical.Features.Records;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Certificates;

/// <summary>Reading certificates: one by id (NOT_FOUND when none), or a case's in the order issued, keyset-paged by number.</summary>
public sealed class TreatmentCertificateQueries(MedicalDbContext db)
{
    public Task<TreatmentCertificate> GetAsync(Guid certificateId, CancellationToken ct) =>
        db.TreatmentCertificates.AsNoTracking()
            .SingleOrNotFoundAsync(c => c.CertificateId == certificateId, TreatmentCertificate.ResourceType, certificateId.ToString(), ct);

    public async Task<Page<TreatmentCertificate>> ListAsync(CasePageRequest query, CancellationToken ct)
    {
        await db.FindRecordAsync(query.CaseId, tracked: false, ct);
        return await db.TreatmentCertificates.AsNoTracking().Where(c => c.CaseId == query.CaseId)
            .ToKeysetPageAsync(query.Page, c => c.Number, ct);
    }

    /// <summary>A certificate_id field: a UUID, else INVALID_ARGUMENT naming it.</summary>
    public static Guid IdOf(string certificateId)
    {
        var errors = new FieldViolations();
        var id = errors.Uuid("certificate_id", certificateId, required: true);
        errors.ThrowIfAny();
        return id!.Value;
    }
}
