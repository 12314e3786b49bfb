using Google.Protobuf.Collections;
using Registry.Custody.Domain;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using ExchangeList = Registry.Custody.Domain.ExchangeList;
using ExchangeListState = Registry.Custody.Domain.ExchangeListState;

namespace Registry.Custody.Features.Exchanges;

/// <summary>A validated draft: the counterpart (ISO 3166-1 alpha-2 state and authority), a note, the cases in the order given.</summary>
public sealed record ExchangeListDraft(IdempotencyKey Key, string CounterpartState, string CounterpartAuthority, string? Note, IReadOnlyList<Guid> CaseIds);

/// <summary>A validated change of the cases of a list (add or remove).</summary>
public sealed record ExchangeListCases(IdempotencyKey Key, Guid ExchangeListId, IReadOnlyList<Guid> CaseIds);

/// <summary>A validated step of a list's lifecycle: agree (with the version read), cancel (with a reason) or execute (with its instant).</summary>
public sealed record ExchangeListStepCommand(
    IdempotencyKey Key, Guid ExchangeListId, long Version = 0, string? Reason = null, DateTimeOffset ExecutedAt = default, string? FitnessOverrideReason = null);

/// <summary>Checks the exchange-list requests, naming every bad field at once (INVALID_ARGUMENT with field violations).</summary>
public static class ExchangeListValidator
{
    public static ExchangeListDraft Validate(DraftExchangeListRequest request)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        string? state = null, authority = null;
        if (request.Counterpart is null)
        {
            errors.Add("counterpart", "is required: the other power of the exchange (state and authority)");
        }
        else
        {
            state = errors.CountryCode("counterpart.state", request.Counterpart.State, required: true);
            authority = errors.Text("counterpart.authority", request.Counterpart.Authority, ExchangeList.AuthorityMaxLength, required: true);
        }

        var note = errors.Text("note", request.Note, ExchangeList.NoteMaxLength, required: false);
        var caseIds = CaseIds(errors, request.CaseIds, required: false);
        errors.ThrowIfAny();
        return new ExchangeListDraft(IdempotencyKey.Of(requestId!.Value, request), state!, authority!, note, caseIds);
    }

    public static ExchangeListCases Validate(AddToExchangeListRequest request) =>
        Cases(request.RequestId, request.ExchangeListId, request.CaseIds, request);

    public static ExchangeListCases Validate(RemoveFromExchangeListRequest request) =>
        Cases(request.RequestId, request.ExchangeListId, request.CaseIds, request);

    public static ExchangeListStepCommand Validate(AgreeExchangeListRequest request)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var listId = errors.Uuid("exchange_list_id", request.ExchangeListId, required: true);
        if (request.Version < 1)
        {
            errors.Add("version", "is required: the list version the caller read and agrees to (at least 1)");
        }

        errors.ThrowIfAny();
        return new ExchangeListStepCommand(IdempotencyKey.Of(requestId!.Value, request), listId!.Value, Version: request.Version);
    }

    public static ExchangeListStepCommand Validate(CancelExchangeListRequest request)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var listId = errors.Uuid("exchange_list_id", request.ExchangeListId, required: true);
        var reason = errors.Text("reason", request.Reason, ExchangeList.ReasonMaxLength, required: true);
        errors.ThrowIfAny();
        return new ExchangeListStepCommand(IdempotencyKey.Of(requestId!.Value, request), listId!.Value, Reason: reason);
    }

    public static ExchangeListStepCommand Validate(ExecuteExchangeListRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var listId = errors.Uuid("exchange_list_id", request.ExchangeListId, required: true);
        var executedAt = errors.PastTimestamp("executed_at", request.ExecutedAt, now, required: true);
        var overrideReason = errors.Text("fitness_override_reason", request.FitnessOverrideReason, Transfers.TransferValidator.ReasonMaxLength, required: false);
        errors.ThrowIfAny();
        return new ExchangeListStepCommand(IdempotencyKey.Of(requestId!.Value, request), listId!.Value, ExecutedAt: executedAt!.Value,
            FitnessOverrideReason: overrideReason);
    }

    public static Guid Validate(GetExchangeListRequest request)
    {
        var errors = new FieldViolations();
        var listId = errors.Uuid("exchange_list_id", request.ExchangeListId, required: true);
        errors.ThrowIfAny();
        return listId!.Value;
    }

    /// <summary>The state filter (null for all) and the page, the token tied to the filter.</summary>
    public static (ExchangeListState? State, PageRequest Page) Validate(ListExchangeListsRequest request)
    {
        var errors = new FieldViolations();
        var state = errors.Enum("state", request.State, required: false);
        var page = errors.Page(request.PageSize, request.PageToken, $"exchange-lists/{request.State}");
        errors.ThrowIfAny();
        return (state is { } s ? Enum.Parse<ExchangeListState>(s.ToString()) : null, page);
    }

    private static ExchangeListCases Cases(string requestIdText, string listIdText, RepeatedField<string> caseIdTexts, Google.Protobuf.IMessage request)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", requestIdText);
        var listId = errors.Uuid("exchange_list_id", listIdText, required: true);
        var caseIds = CaseIds(errors, caseIdTexts, required: true);
        errors.ThrowIfAny();
        return new ExchangeListCases(IdempotencyKey.Of(requestId!.Value, request), listId!.Value, caseIds);
    }

    /// <summary>Each <c>case_ids[i]</c> a UUID and named once; at most <see cref="ExchangeList.MaxEntries"/>.</summary>
    private static List<Guid> CaseIds(FieldViolations errors, RepeatedField<string> texts, bool required)
    {
        var ids = new List<Guid>();
        if (texts.Count == 0 && required)
        {
            errors.Add("case_ids", "is required: at least one case");
        }

        if (texts.Count > ExchangeList.MaxEntries)
        {
            errors.Add("case_ids", $"names {texts.Count} cases; a list holds at most {ExchangeList.MaxEntries}");
            return ids;
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (errors.Uuid($"case_ids[{i}]", texts[i], required: true) is not { } id)
            {
                continue;
            }

            var first = ids.IndexOf(id);
            if (first >= 0)
            {
                errors.Add($"case_ids[{i}]", $"repeats case {id}: a case is listed at most once");
            }
            else
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
