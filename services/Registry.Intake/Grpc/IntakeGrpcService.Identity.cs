using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Messaging;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Grpc;

/// <summary>Identity assertions and status decisions.</summary>
public sealed partial class IntakeGrpcService
{
    public override async Task<UpdateIdentityResponse> UpdateIdentity(UpdateIdentityRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
        var update = CaseChangeValidator.Validate(request, now);
        var found = await FindCaseToChangeAsync(update.CaseId, update.Revision, ct);

        var errors = new FieldViolations();
        foreach (var (field, problem) in found.CheckAssertion(update.Facts))
        {
            errors.Add($"identity.{field}", problem);
        }

        errors.ThrowIfAny();
        _db.IdentityAssertions.AddRange(found.Assert(update.Facts, update.Source, now));
        _db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.IdentityUpdated(found, update.Facts.Keys, update.Source), now));
        Raise(found, Domain.NotificationKind.IdentityCorrection,
            $"Identity of {found.CaseNumber} asserted anew ({string.Join(", ", update.Facts.Keys)}) from {update.Source.Kind}: {Describe(found)}.", now);
        var duplicates = await FindNewDuplicatesAsync(found, now, ct);
        _db.DuplicateCandidates.AddRange(duplicates);
        await SaveChangeAsync(found, update.Revision, ct);
        _logger.LogInformation("Case {CaseNumber}: identity asserted ({Fields}) from {Source}; {Duplicates} new possible duplicates",
            found.CaseNumber, string.Join(", ", update.Facts.Keys), update.Source.Kind, duplicates.Count);
        var response = new UpdateIdentityResponse { Case = found.ToProto() };
        response.DuplicateCandidates.AddRange(duplicates.Select(d => d.ToProto()));
        return response;
    }

    public override async Task<ListIdentityAssertionsResponse> ListIdentityAssertions(ListIdentityAssertionsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"assertions/{request.CaseId}";
        var after = errors.PageToken("page_token", request.PageToken, query) ?? 0;
        errors.ThrowIfAny();

        await FindCaseAsync(caseId!.Value, tracked: false, ct);
        var assertions = _db.IdentityAssertions.AsNoTracking().Where(a => a.CaseId == caseId);
        var current = (await assertions.GroupBy(a => a.Field).Select(g => g.Max(a => a.Id)).ToListAsync(ct)).ToHashSet();
        var page = await assertions.Where(a => a.Id > after).OrderBy(a => a.Id).Take(pageSize).ToListAsync(ct);

        var response = new ListIdentityAssertionsResponse { NextPageToken = PageTokens.Next(page, pageSize, a => a.Id, query) };
        response.Assertions.AddRange(page.Select(a => a.ToProto(current.Contains(a.Id))));
        return response;
    }

    public override async Task<ChangeStatusCategoryResponse> ChangeStatusCategory(ChangeStatusCategoryRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
        var decision = CaseChangeValidator.Validate(request, now);
        var found = await FindCaseToChangeAsync(decision.CaseId, decision.Revision, ct);

        var change = found.ChangeStatus(decision.To, decision.DecisionReference, decision.DecidedBy, decision.DecidedAt, now);
        _db.StatusChanges.Add(change);
        _db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.StatusChanged(found, change), now));
        Raise(found, Domain.NotificationKind.StatusChange,
            $"Status of {found.CaseNumber}: {change.From} -> {change.To} by {change.DecidedBy} ({change.DecisionReference}).", now);
        await SaveChangeAsync(found, decision.Revision, ct);
        _logger.LogInformation("Case {CaseNumber}: status {From} -> {To} ({Reference})", found.CaseNumber, change.From, change.To, change.DecisionReference);
        return new ChangeStatusCategoryResponse { Case = found.ToProto() };
    }

    public override async Task<ListStatusChangesResponse> ListStatusChanges(ListStatusChangesRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"status/{request.CaseId}";
        var after = errors.PageToken("page_token", request.PageToken, query) ?? 0;
        errors.ThrowIfAny();

        await FindCaseAsync(caseId!.Value, tracked: false, ct);
        var page = await _db.StatusChanges.AsNoTracking()
            .Where(s => s.CaseId == caseId && s.Id > after).OrderBy(s => s.Id).Take(pageSize).ToListAsync(ct);

        var response = new ListStatusChangesResponse { NextPageToken = PageTokens.Next(page, pageSize, s => s.Id, query) };
        response.StatusChanges.AddRange(page.Select(s => s.ToProto()));
        return response;
    }
}
