using Grpc.Core;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Effects;
using Registry.Intake.Features.Identity;
using Registry.Intake.Features.Import;
using Registry.Intake.Features.Notifications;
using Registry.Intake.Features.Registration;
using Registry.Intake.Features.Search;
using Registry.Intake.Features.Sharing;
using Registry.Intake.Features.Status;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Intake.Grpc;

/// <summary>
/// The intake service's gRPC surface, an adapter: each call is validated into a typed command, handed to
/// its feature's handler (Features/), and the result mapped to the contract.
/// </summary>
public sealed class IntakeGrpcService(
    TimeProvider clock,
    RegisterCaptureHandler registerCapture,
    RegistrationBatcher batcher,
    ImportCapturesHandler importCaptures,
    GetCaseHandler getCase,
    SearchCasesHandler searchCases,
    UpdateIdentityHandler updateIdentity,
    ListIdentityAssertionsHandler listIdentityAssertions,
    ChangeStatusCategoryHandler changeStatusCategory,
    ListStatusChangesHandler listStatusChanges,
    RecordPersonalEffectsHandler recordPersonalEffects,
    ListPersonalEffectsHandler listPersonalEffects,
    RecordPersonalEffectFateHandler recordPersonalEffectFate,
    ListDuplicateCandidatesHandler listDuplicateCandidates,
    MergeCasesHandler mergeCases,
    MarkNotDuplicateHandler markNotDuplicate,
    ReopenDuplicateDecisionHandler reopenDuplicateDecision,
    ListDuplicateDecisionsHandler listDuplicateDecisions,
    ListOverdueHandler listOverdue,
    IssueCaptureCardHandler issueCaptureCard,
    StreamNotificationsHandler streamNotifications,
    AcknowledgeNotificationsHandler acknowledgeNotifications,
    ShareCaseHandler shareCase,
    RevokeShareHandler revokeShare,
    ListSharesHandler listShares)
    : IntakeService.IntakeServiceBase
{
    private DateTimeOffset Now => clock.GetUtcNow().ToMicroseconds();

    public override async Task<RegisterCaptureResponse> RegisterCapture(RegisterCaptureRequest request, ServerCallContext context)
    {
        var agency = AccessContext.Caller(context).Agency;
        try
        {
            var registration = RegisterCaptureValidator.Validate(request, Now);
            var response = (await (batcher.Enabled
                ? batcher.RegisterAsync(registration, context.CancellationToken)
                : registerCapture.HandleAsync(registration, context.CancellationToken))).ToProto();
            RegistrationMetrics.Count(agency, response.Replayed ? RegistrationMetrics.Replayed : RegistrationMetrics.Created);
            return response;
        }
        catch (Exception ex)
        {
            // Whatever ended it: bad input and rules (refused), the service's bound or a caller that hung up (failed).
            RegistrationMetrics.Count(agency, RegistrationMetrics.OutcomeOf(ExceptionMappingInterceptor.StatusOf(ex)));
            throw;
        }
    }

    public override async Task<ImportCapturesResponse> ImportCaptures(ImportCapturesRequest request, ServerCallContext context)
    {
        var agency = AccessContext.Caller(context).Agency;
        ImportCapturesResponse response;
        try
        {
            response = (await importCaptures.HandleAsync(ImportCapturesValidator.Validate(request, Now), context.CancellationToken)).ToProto();
        }
        catch (Exception ex)
        {
            // The whole list refused (a bad batch) or not done (the bound, the caller gone): each row counts so, but for the cases
            // parts committed before the failure opened.
            var created = ex.Data[ImportCapturesHandler.CreatedBeforeFailureKey] as int? ?? 0;
            RegistrationMetrics.Count(agency, RegistrationMetrics.Created, created);
            RegistrationMetrics.Count(agency, RegistrationMetrics.OutcomeOf(ExceptionMappingInterceptor.StatusOf(ex)), request.Rows.Count - created);
            throw;
        }

        foreach (var outcome in response.Results.GroupBy(r => r.Outcome))
        {
            RegistrationMetrics.Count(agency, outcome.Key switch
            {
                ImportRowOutcome.Created => RegistrationMetrics.Created,
                ImportRowOutcome.Replayed => RegistrationMetrics.Replayed,
                _ => RegistrationMetrics.Refused,
            }, outcome.Count());
        }

        return response;
    }

    public override async Task<GetCaseResponse> GetCase(GetCaseRequest request, ServerCallContext context) =>
        new() { Case = (await getCase.HandleAsync(CaseRequestValidator.CaseId(request.CaseId), context.CancellationToken)).ToProto() };

    public override async Task<SearchCasesResponse> SearchCases(SearchCasesRequest request, ServerCallContext context) =>
        (await searchCases.HandleAsync(SearchCasesValidator.Validate(request), context.CancellationToken)).ToProto();

    public override async Task<UpdateIdentityResponse> UpdateIdentity(UpdateIdentityRequest request, ServerCallContext context) =>
        (await updateIdentity.HandleAsync(UpdateIdentityValidator.Validate(request, Now), context.CancellationToken)).ToProto();

    public override async Task<ListIdentityAssertionsResponse> ListIdentityAssertions(ListIdentityAssertionsRequest request, ServerCallContext context) =>
        (await listIdentityAssertions.HandleAsync(
            CaseRequestValidator.Page(request.CaseId, request.PageSize, request.PageToken, "assertions"), context.CancellationToken)).ToProto();

    public override async Task<ChangeStatusCategoryResponse> ChangeStatusCategory(ChangeStatusCategoryRequest request, ServerCallContext context) =>
        new() { Case = (await changeStatusCategory.HandleAsync(ChangeStatusCategoryValidator.Validate(request, Now), context.CancellationToken)).ToProto() };

    public override async Task<ListStatusChangesResponse> ListStatusChanges(ListStatusChangesRequest request, ServerCallContext context) =>
        (await listStatusChanges.HandleAsync(
            CaseRequestValidator.Page(request.CaseId, request.PageSize, request.PageToken, "status"), context.CancellationToken)).ToProto();

    public override async Task<RecordPersonalEffectsResponse> RecordPersonalEffects(RecordPersonalEffectsRequest request, ServerCallContext context) =>
        (await recordPersonalEffects.HandleAsync(PersonalEffectsValidator.Validate(request, Now), context.CancellationToken)).ToProto();

    public override async Task<ListPersonalEffectsResponse> ListPersonalEffects(ListPersonalEffectsRequest request, ServerCallContext context) =>
        (await listPersonalEffects.HandleAsync(
            CaseRequestValidator.Page(request.CaseId, request.PageSize, request.PageToken, "effects"), context.CancellationToken)).ToProto();

    public override async Task<RecordPersonalEffectFateResponse> RecordPersonalEffectFate(RecordPersonalEffectFateRequest request, ServerCallContext context) =>
        new() { Effect = (await recordPersonalEffectFate.HandleAsync(PersonalEffectsValidator.Validate(request), context.CancellationToken)).ToProto() };

    public override async Task<ListDuplicateCandidatesResponse> ListDuplicateCandidates(ListDuplicateCandidatesRequest request, ServerCallContext context) =>
        (await listDuplicateCandidates.HandleAsync(DuplicateValidator.Validate(request), context.CancellationToken)).ToProto();

    public override async Task<MergeCasesResponse> MergeCases(MergeCasesRequest request, ServerCallContext context) =>
        (await mergeCases.HandleAsync(DuplicateValidator.Validate(request), DecidedBy(context), context.CancellationToken)).ToProto();

    public override async Task<MarkNotDuplicateResponse> MarkNotDuplicate(MarkNotDuplicateRequest request, ServerCallContext context) =>
        new() { DuplicateCandidate = (await markNotDuplicate.HandleAsync(DuplicateValidator.Validate(request), DecidedBy(context), context.CancellationToken)).ToProto() };

    public override async Task<ReopenDuplicateDecisionResponse> ReopenDuplicateDecision(ReopenDuplicateDecisionRequest request, ServerCallContext context)
    {
        var reopened = await reopenDuplicateDecision.HandleAsync(DuplicateValidator.Validate(request), DecidedBy(context), context.CancellationToken);
        return new ReopenDuplicateDecisionResponse { DuplicateCandidate = reopened.Candidate.ToProto(), Replayed = reopened.Replayed };
    }

    public override async Task<ListDuplicateDecisionsResponse> ListDuplicateDecisions(ListDuplicateDecisionsRequest request, ServerCallContext context) =>
        (await listDuplicateDecisions.HandleAsync(DuplicateValidator.Validate(request), context.CancellationToken)).ToProto();

    /// <summary>Who takes a decision on a duplicate pair: the verified token's agency and client.</summary>
    private static Domain.DecidedBy DecidedBy(ServerCallContext context)
    {
        var caller = AccessContext.Caller(context);
        return new Domain.DecidedBy(caller.Agency, caller.ClientId);
    }

    public override async Task<ListOverdueResponse> ListOverdue(ListOverdueRequest request, ServerCallContext context) =>
        (await listOverdue.HandleAsync(ListOverdueValidator.Validate(request, Now), context.CancellationToken)).ToProto();

    public override async Task<IssueCaptureCardResponse> IssueCaptureCard(IssueCaptureCardRequest request, ServerCallContext context) =>
        new() { CaptureCard = (await issueCaptureCard.HandleAsync(CaseRequestValidator.CaseId(request.CaseId), context.CancellationToken)).ToProto() };

    public override async Task StreamNotifications(
        StreamNotificationsRequest request, IServerStreamWriter<StreamNotificationsResponse> responseStream, ServerCallContext context)
    {
        var after = StreamNotificationsValidator.Validate(request);
        await foreach (var notification in streamNotifications.HandleAsync(after, () => context.WriteResponseHeadersAsync(new Metadata()), context.CancellationToken))
        {
            await responseStream.WriteAsync(new StreamNotificationsResponse { Notification = notification.ToProto() }, context.CancellationToken);
        }
    }

    public override async Task<AcknowledgeNotificationsResponse> AcknowledgeNotifications(AcknowledgeNotificationsRequest request, ServerCallContext context) =>
        (await acknowledgeNotifications.HandleAsync(AcknowledgeNotificationsValidator.Validate(request), context.CancellationToken)).ToProto();

    public override async Task<ShareCaseResponse> ShareCase(ShareCaseRequest request, ServerCallContext context) =>
        (await shareCase.HandleAsync(ShareValidator.Validate(request, Now), AccessContext.Caller(context), context.CancellationToken)).ToProto(clock.GetUtcNow());

    public override async Task<RevokeShareResponse> RevokeShare(RevokeShareRequest request, ServerCallContext context) =>
        new() { Share = (await revokeShare.HandleAsync(ShareValidator.Validate(request), AccessContext.Caller(context), context.CancellationToken)).ToProto(clock.GetUtcNow()) };

    public override async Task<ListSharesResponse> ListShares(ListSharesRequest request, ServerCallContext context) =>
        (await listShares.HandleAsync(ShareValidator.Validate(request), context.CancellationToken)).ToProto();

    /// <summary>Only ever the caller's own agency's shares: the agency is its token's, not a request field.</summary>
    public override async Task<ListSharedCasesResponse> ListSharedCases(ListSharedCasesRequest request, ServerCallContext context)
    {
        var agency = AccessContext.Caller(context).Agency;
        return (await listShares.SharedWithAsync(agency, ShareValidator.Validate(request, agency), context.CancellationToken)).ToSharedCases();
    }
}
