using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>What an arrival meant for the register: the case that answers for it (null when not a case of this register) and its admission card.</summary>
public sealed record ArrivalRecorded(CaptureCase? Owner, CaptureCard? Card);

/// <summary>
/// What custody's and medical's events mean for the Convention's clocks: the week for a capture card
/// (GC III Art. 70) and a notification to the ICRC (Art. 122). Called by the consumers inside the
/// transaction that records the message as applied. The case that answers is held as read (its revision is
/// checked and, on PostgreSQL, its row locked first thing in that transaction), so a merge racing the event
/// either comes first (the event is retried and owed on the survivor) or sees what the event wrote.
/// </summary>
public sealed class CaptureCardEventHandler(IntakeDbContext db, CaseStore cases, TimeProvider clock)
{
    /// <summary>
    /// The person arrived at a place of internment. Registration opened the admission capture card's clock
    /// provisionally; the Convention counts the week from this arrival, so a card not yet issued is now due
    /// a week after it. The ICRC learns where the person is held.
    /// </summary>
    public async Task<ArrivalRecorded> HandleAsync(CustodyAdmitted m, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        var admittedAt = m.AdmittedAt.ToMicroseconds();
        if (await cases.FindOwnerAsync(m.CaseId, ct) is not { } owner)
        {
            return new ArrivalRecorded(null, null); // not a case of this register
        }

        await cases.EnsureUnchangedAsync(ct, owner); // a merge committed since the read makes this delivery try again

        var card = await db.CaptureCards
            .Where(c => c.CaseId == owner.CaseId && c.Reason == CaptureCardReason.Admission && c.IssuedAt == null && c.WithdrawnAt == null)
            .OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        card?.RebaseTo(admittedAt);

        var place = string.Join(", ", new[] { m.Facility, m.Locality, m.Country }.Where(p => !string.IsNullOrEmpty(p)));
        db.RaiseNotification(owner, NotificationKind.Admission,
            $"Admitted: {IcrcFeed.Describe(owner)} held at {place} by {m.CustodianAgency} since {admittedAt:yyyy-MM-dd}.", now);
        return new ArrivalRecorded(owner, card);
    }

    /// <summary>A transfer makes a new capture card due and is notified to the ICRC.</summary>
    public Task<CaptureCase?> HandleAsync(CustodyTransferred m, CancellationToken ct) =>
        CardOwedAsync(m.CaseId, CaptureCardReason.Transfer, NotificationKind.Transfer, m.TransferredAt,
            c => $"Transferred: {IcrcFeed.Describe(c)} from {m.FromFacility ?? "?"} to {m.ToFacility}{(m.ToPower is null ? "" : $" ({m.ToPower})")} on {m.TransferredAt:yyyy-MM-dd}.", ct);

    /// <summary>A hospitalisation makes a new capture card due and is notified to the ICRC (without clinical detail).</summary>
    public Task<CaptureCase?> HandleAsync(PatientHospitalised m, CancellationToken ct) =>
        CardOwedAsync(m.CaseId, CaptureCardReason.Hospitalisation, NotificationKind.Hospitalisation, m.HospitalisedAt,
            c => $"Admitted to hospital: {IcrcFeed.Describe(c)} at {m.Hospital} on {m.HospitalisedAt:yyyy-MM-dd}.", ct);

    /// <summary>
    /// A death certified by medical (GC III Art. 120): the ICRC is notified (Art. 120, 122) with what the certificate
    /// says (date and place of death, the cause as certified, its number, issuer and date) and, when the death opened an
    /// official enquiry (Art. 121), the enquiry's reference, on the case that answers for the person (the survivor of a
    /// merge). Capture cards still owed are withdrawn: the card is the prisoner's own to his family (Art. 70, Annex IV B),
    /// which a dead person cannot write, and the death's notification takes its place; cards issued stay as issued.
    /// Once per death: the consumer's inbox drops a redelivery.
    /// </summary>
    public async Task<CaptureCase?> HandleAsync(DeathRecorded m, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        if (await cases.FindOwnerAsync(m.CaseId, ct) is not { } owner)
        {
            return null; // not a case of this register
        }

        await cases.EnsureUnchangedAsync(ct, owner);

        var owed = await db.CaptureCards.Where(c => c.CaseId == owner.CaseId && c.IssuedAt == null && c.WithdrawnAt == null).ToListAsync(ct);
        foreach (var card in owed)
        {
            card.Withdraw(now);
        }

        var enquiry = m.EnquiryReference is null ? "" : $" An official enquiry is held (GC III Art. 121), reference {m.EnquiryReference}.";
        var summary = $"Died: {IcrcFeed.Describe(owner)} on {m.DiedAt:yyyy-MM-dd} at {m.Place}. Cause of death as certified: {m.Cause} "
            + $"(death certificate {m.CertificateNumber}, {m.CertificateIssuedBy}, {m.CertificateIssuedAt:yyyy-MM-dd}).{enquiry}";
        db.RaiseNotification(owner, NotificationKind.Death, IcrcFeed.Shortened(summary), now);
        return owner;
    }

    /// <summary>
    /// Captivity ended other than by death (custody's <see cref="CaptivityEnded"/>: released, repatriated, exchanged,
    /// transferred to a third state): the ICRC is notified (GC III Art. 122) of the way, the date, the state the person
    /// went to and custody's facts (which its contract keeps free of any private interview's content), on the case that
    /// answers for the person. Capture cards still owed are withdrawn as for a death: the card tells the family where a
    /// prisoner is held (Art. 70), and the person is no longer held; cards issued stay as issued.
    /// </summary>
    public Task<CaptureCase?> HandleAsync(CaptivityEnded m, CancellationToken ct)
    {
        var way = m.Way switch
        {
            "RELEASED" => "Released",
            "REPATRIATED" => "Repatriated",
            "EXCHANGED" => "Handed over in a prisoner exchange",
            "TRANSFERRED_TO_THIRD_STATE" => "Transferred to a third state",
            var other => $"Captivity ended ({other})",
        };
        return WithdrawOwedAsync(m.CaseId, NotificationKind.EndOfCaptivity, c =>
            $"{way}: {IcrcFeed.Describe(c)} on {m.EndedAt:yyyy-MM-dd}{(m.ToState is null ? "" : $" to {m.ToState}")}.{(m.Detail is null ? "" : $" {m.Detail}")}", ct);
    }

    /// <summary>An escape (custody's <see cref="PrisonerEscaped"/>) is notified to the ICRC (GC III Art. 122); what is owed stays owed.</summary>
    public async Task<CaptureCase?> HandleAsync(PrisonerEscaped m, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        if (await cases.FindOwnerAsync(m.CaseId, ct) is not { } owner)
        {
            return null; // not a case of this register
        }

        await cases.EnsureUnchangedAsync(ct, owner);
        db.RaiseNotification(owner, NotificationKind.Escape,
            IcrcFeed.Shortened($"Escaped: {IcrcFeed.Describe(owner)} on {m.EscapedAt:yyyy-MM-dd}{(m.From is null ? "" : $" from {m.From}")}."), now);
        return owner;
    }

    /// <summary>
    /// A recapture (custody's <see cref="PrisonerRecaptured"/>) is notified to the ICRC (Art. 122) and owes a new capture
    /// card, due a week after it, with reason TRANSFER: Art. 70 owes a card on capture and on each move to another camp or
    /// hospital, and a recaptured person arrives at a place of internment (a new one, or the old one again) from outside
    /// custody, which for the family is a change of address like a transfer. The ADMISSION card is the first arrival's.
    /// </summary>
    public Task<CaptureCase?> HandleAsync(PrisonerRecaptured m, CancellationToken ct) =>
        CardOwedAsync(m.CaseId, CaptureCardReason.Transfer, NotificationKind.Recapture, m.RecapturedAt,
            c => IcrcFeed.Shortened($"Recaptured: {IcrcFeed.Describe(c)} on {m.RecapturedAt:yyyy-MM-dd}, held at "
                + $"{string.Join(", ", new[] { m.Facility, m.Locality, m.Country }.Where(p => !string.IsNullOrEmpty(p)))} by {m.CustodianAgency}."), ct);

    private async Task<CaptureCase?> WithdrawOwedAsync(Guid caseId, NotificationKind kind, Func<CaptureCase, string> summary, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        if (await cases.FindOwnerAsync(caseId, ct) is not { } owner)
        {
            return null; // not a case of this register
        }

        await cases.EnsureUnchangedAsync(ct, owner);
        var owed = await db.CaptureCards.Where(c => c.CaseId == owner.CaseId && c.IssuedAt == null && c.WithdrawnAt == null).ToListAsync(ct);
        foreach (var card in owed)
        {
            card.Withdraw(now);
        }

        db.RaiseNotification(owner, kind, IcrcFeed.Shortened(summary(owner)), now);
        return owner;
    }

    /// <summary>A new capture card due a week after <paramref name="occurredAt"/>, owed by the case that answers for <paramref name="caseId"/>.</summary>
    private async Task<CaptureCase?> CardOwedAsync(
        Guid caseId, CaptureCardReason reason, NotificationKind kind, DateTimeOffset occurredAt, Func<CaptureCase, string> summary, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToMicroseconds();
        if (await cases.FindOwnerAsync(caseId, ct) is not { } owner)
        {
            return null; // not a case of this register (e.g. another deployment's); nothing is owed here
        }

        // The owner as read must still be the owner when this commits: a merge committed meanwhile makes this
        // delivery fail and be retried (it then finds the survivor); a merge that follows sees this card.
        await cases.EnsureUnchangedAsync(ct, owner);

        db.CaptureCards.Add(CaptureCard.Owed(owner, reason, occurredAt.ToMicroseconds(), now));
        db.RaiseNotification(owner, kind, summary(owner), now);
        return owner;
    }
}
