using Microsoft.EntityFrameworkCore;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

public sealed class RegisterCaptureValidationTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static readonly Dictionary<string, Action<RegisterCaptureRequest>> Spoilers = new()
    {
        ["no request id"] = r => r.RequestId = "",
        ["request id not a uuid"] = r => r.RequestId = "retry-1",
        ["no identity"] = r => r.Identity = null,
        ["no name at all"] = r => { r.Identity.FamilyName = " "; r.Identity.GivenNames = ""; },
        ["oversized family name"] = r => r.Identity.FamilyName = new string('김', 201),
        // A Han character of Extension B (two UTF-16 units): 201 of them are 201 characters.
        ["oversized family name outside the BMP"] = r => r.Identity.FamilyName = string.Concat(Enumerable.Repeat("\U00020BB7", 201)),
        ["control character in given names"] = r => r.Identity.GivenNames = "Jong\u0007Un",
        ["nationality not a code"] = r => r.Identity.Nationality = "North Korea",
        ["month 13"] = r => r.Identity.DateOfBirth = new PartialDate { Year = 1999, Month = 13 },
        ["30 February"] = r => r.Identity.DateOfBirth = new PartialDate { Year = 1999, Month = 2, Day = 30 },
        ["day without a month"] = r => r.Identity.DateOfBirth = new PartialDate { Year = 1999, Day = 5 },
        ["born in 1850"] = r => r.Identity.DateOfBirth = new PartialDate { Year = 1850 },
        ["born after the capture"] = r => r.Identity.DateOfBirth = new PartialDate { Year = 2025, Month = 3 },
        ["no capture"] = r => r.Capture = null,
        ["no capture time"] = r => r.Capture.CapturedAt = null,
        ["capture in the future"] = r => r.Capture.CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)),
        ["capture before the Convention"] = r => r.Capture.CapturedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        ["no place"] = r => r.Capture.Place = "",
        ["no capturing agency"] = r => r.Capture.CapturingAgency = "\t",
        ["oversized capturing unit"] = r => r.Capture.CapturingUnit = new string('x', 5000),
        ["Hangul as the transliteration"] = r => r.Identity.GivenNamesLatin = "정혁",
        ["unknown status category"] = r => r.StatusCategory = (StatusCategory)17,
        ["unknown sex"] = r => r.Identity.Sex = (Sex)3,
        ["latitude beyond the pole"] = r => r.Capture.Coordinates = new GeoPoint { Latitude = 91, Longitude = 35 },
        ["longitude not a number"] = r => r.Capture.Coordinates = new GeoPoint { Latitude = 51, Longitude = double.NaN },
        ["latitude without its longitude"] = r => r.Capture.Coordinates = new GeoPoint { Latitude = 51 },
        ["longitude without its latitude"] = r => r.Capture.Coordinates = new GeoPoint { Longitude = 35 },
        ["in service before 1900"] = r => r.Identity.InServiceSince = new PartialDate { Year = 1800 },
        ["dependent power not a code"] = r => r.Identity.DependentPower = "DPRK",
        ["document source without its type"] = r => r.IdentitySource = new AssertionSource { Kind = SourceKind.Document, DocumentNumber = "1" },
        ["third party without a name"] = r => r.IdentitySource = new AssertionSource { Kind = SourceKind.ThirdParty },
        ["oversized circumstances"] = r => r.Capture.Circumstances = new string('c', 4001),
        // Dates that can be true (the shared DateRules), and the rest of their kind.
        ["in service before birth"] = r => r.Identity.InServiceSince = new PartialDate { Year = 2001 },
        ["in service the month before birth"] = r => { r.Identity.DateOfBirth = new PartialDate { Year = 2004, Month = 6, Day = 3 }; r.Identity.InServiceSince = new PartialDate { Year = 2004, Month = 5 }; },
        ["in service after the capture"] = r => r.Identity.InServiceSince = new PartialDate { Year = 2025, Month = 6 },
        ["in service in the future"] = r => r.Identity.InServiceSince = new PartialDate { Year = DateTime.UtcNow.Year + 1 },
        ["born later this year"] = r => r.Identity.DateOfBirth = Tomorrow(),
        ["capture at 0001-01-01"] = r => r.Capture.CapturedAt = new Timestamp { Seconds = -62135596800 },
        ["capture in 9999"] = r => r.Capture.CapturedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)),
        ["capture an hour ahead"] = r => r.Capture.CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
        ["capture before birth"] = r => r.Identity.DateOfBirth = new PartialDate { Year = 2025, Month = 1, Day = 12 },
        // Codes from the real lists.
        ["nationality ZZ"] = r => r.Identity.Nationality = "ZZ",
        ["nationality XX"] = r => r.Identity.Nationality = "XX",
        ["nationality QQ"] = r => r.Identity.Nationality = "QQ",
        ["nationality EN"] = r => r.Identity.Nationality = "EN",
        ["dependent power EU"] = r => r.Identity.DependentPower = "EU",
        ["language xx"] = r => r.Identity.Languages.Add("xx"),
        ["language kor for ko"] = r => r.Identity.Languages.Add("kor"),
        ["language with a made-up region"] = r => r.Identity.Languages.Add("ko-ZZ"),
        ["language with a made-up script"] = r => r.Identity.Languages.Add("ko-Abcd"),
        ["nil request id"] = r => r.RequestId = Guid.Empty.ToString(),
        // Stored text is one line: every Unicode line break, not only LF.
        ["line separator in the place"] = r => r.Capture.Place = "Kursk\u2028region",
        ["paragraph separator in the circumstances"] = r => r.Capture.Circumstances = "surrendered\u2029unarmed",
        ["next line in the capturing unit"] = r => r.Capture.CapturingUnit = "47th\u0085brigade",
        ["carriage return in the family name"] = r => r.Identity.FamilyName = "R\ri",
        ["vertical tab in the family name"] = r => r.Identity.FamilyName = "R\u000Bi",
        ["line separator in the source note"] = r => r.IdentitySource = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "said\u2028so" },
        // Invisible format characters in text that is not a name (names are cleaned of them instead).
        ["zero-width space in the place"] = r => r.Capture.Place = "Kursk\u200bregion",
        ["bidi override in the capturing unit"] = r => r.Capture.CapturingUnit = "47th \u202ebrigade",
        ["tag character in the circumstances"] = r => r.Capture.Circumstances = "surrendered\U000E0041",
        // A zero-width non-joiner or joiner is spelling only between letters (RFC 5892 CONTEXTJ); elsewhere it is refused.
        ["zero-width non-joiner after a space in the place"] = r => r.Capture.Place = "Khorram \u200Cabad",
        ["zero-width joiner ending the capturing unit"] = r => r.Capture.CapturingUnit = "47th brigade\u200D",
        ["zero-width joiner beside a non-joiner in the circumstances"] = r => r.Capture.Circumstances = "surrendered\u200C\u200Dunarmed",
        ["a modifier letter is not a name"] = r => r.Identity.FamilyName = "\u02bc",
    };

    private static PartialDate Tomorrow()
    {
        var day = DateTime.UtcNow.AddDays(2);
        return new PartialDate { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    [Theory]
    [InlineData("no request id", "request_id")]
    [InlineData("request id not a uuid", "request_id")]
    [InlineData("no identity", "identity")]
    [InlineData("no name at all", "identity.family_name")]
    [InlineData("oversized family name", "identity.family_name")]
    [InlineData("oversized family name outside the BMP", "identity.family_name")]
    [InlineData("control character in given names", "identity.given_names")]
    [InlineData("nationality not a code", "identity.nationality")]
    [InlineData("month 13", "identity.date_of_birth")]
    [InlineData("30 February", "identity.date_of_birth")]
    [InlineData("day without a month", "identity.date_of_birth")]
    [InlineData("born in 1850", "identity.date_of_birth")]
    [InlineData("born after the capture", "identity.date_of_birth")]
    [InlineData("no capture", "capture")]
    [InlineData("no capture time", "capture.captured_at")]
    [InlineData("capture in the future", "capture.captured_at")]
    [InlineData("capture before the Convention", "capture.captured_at")]
    [InlineData("no place", "capture.place")]
    [InlineData("no capturing agency", "capture.capturing_agency")]
    [InlineData("oversized capturing unit", "capture.capturing_unit")]
    [InlineData("Hangul as the transliteration", "identity.given_names_latin")]
    [InlineData("unknown status category", "status_category")]
    [InlineData("unknown sex", "identity.sex")]
    [InlineData("latitude beyond the pole", "capture.coordinates.latitude")]
    [InlineData("longitude not a number", "capture.coordinates.longitude")]
    [InlineData("latitude without its longitude", "capture.coordinates.longitude")]
    [InlineData("longitude without its latitude", "capture.coordinates.latitude")]
    [InlineData("in service before 1900", "identity.in_service_since")]
    [InlineData("dependent power not a code", "identity.dependent_power")]
    [InlineData("document source without its type", "identity_source.document_type")]
    [InlineData("third party without a name", "identity_source.reported_by")]
    [InlineData("oversized circumstances", "capture.circumstances")]
    [InlineData("in service before birth", "identity.in_service_since")]
    [InlineData("in service the month before birth", "identity.in_service_since")]
    [InlineData("in service after the capture", "identity.in_service_since")]
    [InlineData("in service in the future", "identity.in_service_since")]
    [InlineData("born later this year", "identity.date_of_birth")]
    [InlineData("capture at 0001-01-01", "capture.captured_at")]
    [InlineData("capture in 9999", "capture.captured_at")]
    [InlineData("capture an hour ahead", "capture.captured_at")]
    [InlineData("capture before birth", "identity.date_of_birth")]
    [InlineData("nationality ZZ", "identity.nationality")]
    [InlineData("nationality XX", "identity.nationality")]
    [InlineData("nationality QQ", "identity.nationality")]
    [InlineData("nationality EN", "identity.nationality")]
    [InlineData("dependent power EU", "identity.dependent_power")]
    [InlineData("language xx", "identity.languages[0]")]
    [InlineData("language kor for ko", "identity.languages[0]")]
    [InlineData("language with a made-up region", "identity.languages[0]")]
    [InlineData("language with a made-up script", "identity.languages[0]")]
    [InlineData("nil request id", "request_id")]
    [InlineData("line separator in the place", "capture.place")]
    [InlineData("paragraph separator in the circumstances", "capture.circumstances")]
    [InlineData("next line in the capturing unit", "capture.capturing_unit")]
    [InlineData("carriage return in the family name", "identity.family_name")]
    [InlineData("vertical tab in the family name", "identity.family_name")]
    [InlineData("line separator in the source note", "identity_source.note")]
    [InlineData("zero-width space in the place", "capture.place")]
    [InlineData("bidi override in the capturing unit", "capture.capturing_unit")]
    [InlineData("tag character in the circumstances", "capture.circumstances")]
    [InlineData("zero-width non-joiner after a space in the place", "capture.place")]
    [InlineData("zero-width joiner ending the capturing unit", "capture.capturing_unit")]
    [InlineData("zero-width joiner beside a non-joiner in the circumstances", "capture.circumstances")]
    [InlineData("a modifier letter is not a name", "identity.family_name")]
    public async Task A_bad_registration_is_refused_naming_the_field_and_stores_nothing(string spoiler, string field)
    {
        var request = Requests.Rifleman();
        Spoilers[spoiler](request);
        var before = await intake.CountStoredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(field, badRequest.FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.CountStoredAsync());
    }

    [Fact]
    public async Task Real_codes_and_dates_at_their_bounds_are_accepted()
    {
        var request = Requests.Rifleman();
        request.Identity.Nationality = "XK"; // user-assigned, accepted for Kosovo (IsoCodes)
        request.Identity.DependentPower = "KP";
        request.Identity.Languages.Clear();
        request.Identity.Languages.AddRange(["KO", "ru-Cyrl-RU", "ckb", "ko-kore-kp"]);
        request.Identity.DateOfBirth = new PartialDate { Year = 2005, Month = 1 };
        request.Identity.InServiceSince = new PartialDate { Year = 2005 }; // the year of birth: some day of it can be after the birth
        request.Capture.CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(2)); // within the 5 minutes of skew

        var registered = (await intake.Client.RegisterCaptureAsync(request)).Case;

        Assert.Equal("XK", registered.Identity.Nationality);
        Assert.Equal(["ko", "ru-Cyrl-RU", "ckb", "ko-Kore-KP"], registered.Identity.Languages);
        Assert.Equal(2005, registered.Identity.InServiceSince.Year);
    }

    [Fact]
    public async Task Names_at_their_limits_in_scripts_that_transliterate_longer_are_accepted_and_stored_whole()
    {
        // 𠮷 (U+20BB7), a Han character of Extension B found in Chinese and Japanese names: 200 characters, 400 UTF-16 units.
        // Each name at its limit, in scripts whose Latin keys are several times longer than the names (a key column's limit).
        var request = Requests.Rifleman();
        request.Identity.FamilyName = new string('김', 200);
        request.Identity.GivenNames = string.Concat(Enumerable.Repeat("\U00020BB7", 200));
        request.Identity.FamilyNameLatin = new string('x', 200);
        request.Identity.GivenNamesLatin = new string('y', 200);
        // With the place at its limit too, the ICRC notification's summary (names, place, agency) passes its 1,000 characters.
        request.Capture.Place = new string('p', Registry.Intake.Domain.CaptureCase.CapturePlaceMaxLength);

        var registered = (await intake.Client.RegisterCaptureAsync(request)).Case;

        var read = (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case.Identity;
        Assert.Equal((request.Identity.FamilyName, request.Identity.GivenNames), (read.FamilyName, read.GivenNames));
        // The same person registered again is found as a duplicate of the first (the keys, cut to their limit, still compare).
        var again = request.Clone();
        again.RequestId = Guid.NewGuid().ToString();
        var second = await intake.Client.RegisterCaptureAsync(again);
        Assert.Contains(second.DuplicateCandidates, d => d.OtherCaseId == registered.CaseId);
        var summary = await intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == Guid.Parse(registered.CaseId)).Select(n => n.Summary).SingleAsync());
        Assert.Equal(Registry.Intake.Domain.IcrcNotification.SummaryMaxLength, summary.Length);
        Assert.EndsWith("…", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_within_its_limit_as_typed_but_longer_once_normalised_is_refused_naming_the_field_and_stores_nothing()
    {
        // Normalisation may lengthen text: NFKC (names) stores U+FB03 "ﬃ" as "ffi" and U+FDF2 as four Arabic letters;
        // NFC (all free text) stores U+0958 (Devanagari qa, a composition exclusion) as two characters.
        var place = Registry.Intake.Domain.CaptureCase.CapturePlaceMaxLength;
        var request = Requests.Rifleman();
        request.Identity.FamilyName = new string('\uFB03', 67);
        request.Identity.FatherFirstName = new string('\uFDF2', 51);
        request.Capture.Place = new string('\u0958', place / 2 + 1);

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violations = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.ToDictionary(v => v.Field, v => v.Description);
        Assert.Contains("(Unicode NFKC), where it has 201", violations["identity.family_name"]);
        Assert.Contains("(Unicode NFKC), where it has 204", violations["identity.father_first_name"]);
        Assert.Contains($"(Unicode NFC), where it has {(place / 2 + 1) * 2}", violations["capture.place"]);
        Assert.Equal(0, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == Guid.Parse(request.RequestId))));

        // Just within the limit once stored: accepted, stored in its normal form.
        request.Identity.FamilyName = new string('\uFB03', 66);
        request.Identity.FatherFirstName = new string('\uFDF2', 50);
        request.Capture.Place = new string('\u0958', place / 2);
        var read = (await intake.Client.RegisterCaptureAsync(request)).Case;
        Assert.Equal(string.Concat(Enumerable.Repeat("ffi", 66)), read.Identity.FamilyName);
        Assert.Equal(place, read.Capture.Place.Length);
    }

    [Fact]
    public async Task Zero_width_joiners_between_letters_are_spelling_and_kept_in_free_text()
    {
        // Persian writes Khorramabad with a zero-width non-joiner (U+200C) between "خرم" and "آباد"; Devanagari uses the
        // joiner (U+200D) for half forms. Free text and the stored identity keep them as written (names are compared
        // without them: another registration of the name without its ZWNJ is found as a duplicate).
        var request = Requests.Rifleman();
        request.Capture.Place = "خرم\u200Cآباد";
        request.Capture.CapturingUnit = "क्\u200Dष unit";
        request.Identity.FamilyName = "مهدی\u200Cزاده";
        request.Identity.PlaceOfBirth = "خرم\u200Cآباد";

        var read = (await intake.Client.RegisterCaptureAsync(request)).Case;

        Assert.Equal(("خرم\u200Cآباد", "क्\u200Dष unit"), (read.Capture.Place, read.Capture.CapturingUnit));
        Assert.Equal(("مهدی\u200Cزاده", "خرم\u200Cآباد"), (read.Identity.FamilyName, read.Identity.PlaceOfBirth));
        var again = Requests.Rifleman();
        again.Identity.FamilyName = "مهدیزاده";
        var found = await intake.Client.RegisterCaptureAsync(again);
        Assert.Contains(found.DuplicateCandidates, d => d.OtherCaseId == read.CaseId);
    }

    [Fact]
    public async Task A_date_refused_names_its_bound()
    {
        var request = Requests.Rifleman();
        request.Identity.InServiceSince = new PartialDate { Year = 2001 };
        request.Capture.CapturedAt = new Timestamp { Seconds = -62135596800 };

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(request).ResponseAsync);

        var violations = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.ToDictionary(v => v.Field, v => v.Description);
        Assert.Contains("before the person's birth (2005)", violations["identity.in_service_since"]);
        Assert.Contains("before 1900-01-01T00:00:00Z", violations["capture.captured_at"]);
    }

    [Fact]
    public async Task Every_bad_field_is_named_at_once()
    {
        var request = new RegisterCaptureRequest
        {
            RequestId = "not-a-uuid",
            Identity = new Identity { Nationality = "kp" },
            Capture = new CaptureEvent(),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(request).ResponseAsync);

        var fields = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).ToHashSet();
        Assert.Subset(fields, new HashSet<string>
        {
            "request_id", "identity.family_name", "identity.nationality",
            "capture.captured_at", "capture.place", "capture.capturing_unit", "capture.capturing_agency",
        });
    }
}
