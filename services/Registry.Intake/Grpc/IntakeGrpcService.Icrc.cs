using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using CaptureCard = Registry.Intake.Domain.CaptureCard;
using NotificationKind = Registry.Intake.Domain.NotificationKind;

namespace Registry.Intake.Grpc;

/// <summary>The Convention's clocks and the ICRC's feed: capture cards (Art. 70), notifications (Art. 122, 123).</summary>
public sealed partial class IntakeGrpcService
{
    private const int FeedBatch = 100;
    private static readonly TimeSpan FeedPoll = TimeSpan.FromSeconds(1);

    public override async Task<ListOverdueResponse> ListOverdue(ListOverdueRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        var asOf = Now;
        if (request.AsOf is not null)
        {
            if (request.AsOf.Seconds is < 0 or > 253402300799 || request.AsOf.Nanos is < 0 or > 999_999_999)
            {
                errors.Add("as_of", "is not a valid timestamp");
            }
            else
            {
                asOf = request.AsOf.ToDateTimeOffset().ToMicroseconds();
            }
        }

        var pageSize = errors.PageSize("page_size", request.PageSize);
        var query = $"overdue/{asOf.UtcTicks}";
        var position = OverduePosition.Parse(errors.PagePosition("page_token", request.PageToken, query));
        if (position is null)
        {
            errors.Add("page_token", "is not a page token of this query; start again without one");
        }

        errors.ThrowIfAny();

        // Two sources in one order (due time, kind, id): take a page from each after the position, merge, cut.
        var after = position!.Value;
        var cards = _db.CaptureCards.AsNoTracking()
            .Where(c => c.DueAt < asOf && (c.IssuedAt == null || c.IssuedAt > asOf) && (c.WithdrawnAt == null || c.WithdrawnAt > asOf));
        cards = OverduePosition.CardKind > after.Kind ? cards.Where(c => c.DueAt >= after.DueAt)
            : OverduePosition.CardKind == after.Kind ? cards.Where(c => c.DueAt > after.DueAt || (c.DueAt == after.DueAt && c.Id > after.Id))
            : cards.Where(c => c.DueAt > after.DueAt);
        var notifications = _db.Notifications.AsNoTracking().Where(n => n.DueAt < asOf && (n.DeliveredAt == null || n.DeliveredAt > asOf));
        notifications = OverduePosition.NotificationKind > after.Kind ? notifications.Where(n => n.DueAt >= after.DueAt)
            : OverduePosition.NotificationKind == after.Kind ? notifications.Where(n => n.DueAt > after.DueAt || (n.DueAt == after.DueAt && n.Id > after.Id))
            : notifications.Where(n => n.DueAt > after.DueAt);

        var lateCards = await cards.OrderBy(c => c.DueAt).ThenBy(c => c.Id).Take(pageSize).ToListAsync(ct);
        var lateNotifications = await notifications.OrderBy(n => n.DueAt).ThenBy(n => n.Id).Take(pageSize).ToListAsync(ct);
        var page = lateCards.Select(c => (Key: new OverduePosition(c.DueAt, OverduePosition.CardKind, c.Id), Item: c.ToOverdue(asOf)))
            .Concat(lateNotifications.Select(n => (Key: new OverduePosition(n.DueAt, OverduePosition.NotificationKind, n.Id), Item: n.ToOverdue(asOf))))
            .OrderBy(x => x.Key)
            .Take(pageSize)
            .ToList();

        var response = new ListOverdueResponse
        {
            AsOf = Timestamp.FromDateTimeOffset(asOf),
            NextPageToken = page.Count == pageSize ? PageTokens.Create(page[^1].Key.ToString(), query) : "",
        };
        response.Items.AddRange(page.Select(x => x.Item));
        return response;
    }

    public override async Task<IssueCaptureCardResponse> IssueCaptureCard(IssueCaptureCardRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var owner = await FindCaseAsync(caseId!.Value, tracked: false, ct);
        EnsureNotMerged(owner);
        var card = await _db.CaptureCards.Where(c => c.CaseId == owner.CaseId && c.IssuedAt == null && c.WithdrawnAt == null)
            .OrderBy(c => c.DueAt).ThenBy(c => c.Id).FirstOrDefaultAsync(ct)
            ?? throw RpcErrors.FailedPrecondition("NO_CAPTURE_CARD_DUE", CaseType, $"cases/{owner.CaseId}", $"No capture card of case {owner.CaseNumber} is waiting to be issued.");

        card.Issue(JsonFormatter.Default.Format(owner.ToAnnexIv()), now);
        var issued = card.ToProto();
        Raise(owner, NotificationKind.CaptureCard, $"Capture card of {owner.CaseNumber} ({card.Reason}) issued: {Describe(owner)}.", now, issued);
        await using (var transaction = await _db.Database.BeginTransactionAsync(ct))
        {
            await SequenceNotificationsAsync(ct);
            await _db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        _notifications.Notify();
        return new IssueCaptureCardResponse { CaptureCard = issued };
    }

    public override async Task StreamNotifications(StreamNotificationsRequest request, IServerStreamWriter<StreamNotificationsResponse> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var errors = new FieldViolations();
        long after = 0;
        if (request.Cursor.Length > 0 && !long.TryParse(request.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            errors.Add("cursor", "must be the cursor of a notification received earlier, or empty for the beginning");
        }

        errors.ThrowIfAny();
        while (!ct.IsCancellationRequested)
        {
            var batch = await _db.Notifications.AsNoTracking()
                .Where(n => n.Sequence > after).OrderBy(n => n.Sequence).Take(FeedBatch).ToListAsync(ct);
            foreach (var notification in batch)
            {
                await responseStream.WriteAsync(new StreamNotificationsResponse { Notification = notification.ToProto() }, ct);
                after = notification.Sequence!.Value;
            }

            if (batch.Count > 0)
            {
                var sent = batch.Select(n => n.Id).ToList();
                var now = Now;
                await _db.Notifications.Where(n => sent.Contains(n.Id) && n.DeliveredAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(n => n.DeliveredAt, now), ct);
            }

            if (batch.Count < FeedBatch)
            {
                try
                {
                    await _notifications.WaitAsync(FeedPoll, ct);
                }
                catch (OperationCanceledException)
                {
                    return; // the ICRC hung up; it resumes from its last cursor
                }
            }
        }
    }

    private void Raise(CaptureCase c, NotificationKind kind, string summary, DateTimeOffset now, Protos.Intake.V1.CaptureCard? card = null) =>
        _db.RaiseNotification(c, kind, summary, now, card);

    private Task SequenceNotificationsAsync(CancellationToken ct) => _db.SequenceNotificationsAsync(ct);

    private static string Describe(CaptureCase c) => IcrcFeed.Describe(c);

    /// <summary>A place in the overdue list: due time, then kind, then id.</summary>
    private readonly record struct OverduePosition(DateTimeOffset DueAt, int Kind, long Id) : IComparable<OverduePosition>
    {
        public const int CardKind = 1;
        public const int NotificationKind = 2;

        public int CompareTo(OverduePosition other) =>
            DueAt != other.DueAt ? DueAt.CompareTo(other.DueAt) : Kind != other.Kind ? Kind.CompareTo(other.Kind) : Id.CompareTo(other.Id);

        public override string ToString() => $"{DueAt.UtcTicks}.{Kind}.{Id}";

        /// <summary>The position in a token, the start for "", or null when malformed.</summary>
        public static OverduePosition? Parse(string text)
        {
            if (text.Length == 0)
            {
                return new OverduePosition(DateTimeOffset.MinValue, 0, 0);
            }

            var parts = text.Split('.');
            return parts.Length == 3 && long.TryParse(parts[0], out var ticks) && ticks is >= 0 and <= 3155378975999999999
                && int.TryParse(parts[1], out var kind) && long.TryParse(parts[2], out var id)
                ? new OverduePosition(new DateTimeOffset(ticks, TimeSpan.Zero), kind, id)
                : null;
        }
    }
}
