using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Import;
using Registry.Intake.Features.Registration;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Tests;

/// <summary>
/// The keys of the duplicate locks (<see cref="DuplicateLocks.KeysOf"/>): two records share one whenever the blocking rules
/// could let the pair through, and the family and given blocks, whose rules ask for birth years within one, name the
/// year, so that writers of the same common block in years apart do not wait for each other.
/// (<see cref="ConcurrentDuplicateTests"/> checks the pairs such locks keep under a real race.)
/// </summary>
public sealed class DuplicateLockKeyTests
{
    internal static IReadOnlyCollection<int> LockKeysOf(RegisterCaptureRequest request) =>
        ImportCapturesHandler.LockKeysOf(RegisterCaptureValidator.Read(request, DateTimeOffset.UtcNow, new FieldViolations())
                                         ?? throw new ArgumentException("not a valid registration", nameof(request)));

    /// <summary>The same given names with one letter after the first changed: the same initial, another whole name.</summary>
    internal static string Slip(string given) => given[..3] + (given[3] == 'q' ? 'x' : 'q') + given[4..];

    [Theory]
    [InlineData(1998, true)]
    [InlineData(1999, true)] // the initial rules' years within one
    [InlineData(1997, true)]
    [InlineData(2000, false)]
    [InlineData(1996, false)]
    [InlineData(1960, false)]
    public void Records_of_one_family_block_share_a_lock_exactly_when_their_birth_years_are_within_one(int otherYear, bool shared)
    {
        var person = ImportCapturesTests.Person(1998);
        // The same family name and given initial (the family block), another given name, full name and service number:
        // only the family-and-initial rule could let this pair through.
        var other = ImportCapturesTests.Person(otherYear, person.Identity.FamilyNameLatin, Slip(person.Identity.GivenNamesLatin));

        var common = LockKeysOf(person).Intersect(LockKeysOf(other)).Count();

        Assert.Equal(shared, common > 0);
    }

    [Fact]
    public void A_record_without_a_birth_year_takes_no_block_lock_and_still_shares_its_whole_name_lock()
    {
        var person = ImportCapturesTests.Person(1998);
        var unborn = person.Clone();
        unborn.RequestId = Guid.NewGuid().ToString();
        unborn.Identity.DateOfBirth = null;
        unborn.Identity.ServiceNumber = "RU-12345678";
        var slipped = ImportCapturesTests.Person(1998, person.Identity.FamilyNameLatin, Slip(person.Identity.GivenNamesLatin));

        // The whole-name rule lets a pair through when either year is unknown: the same name still meets.
        Assert.NotEmpty(LockKeysOf(unborn).Intersect(LockKeysOf(person)));
        // The initial rules need both years: a record without one shares no block lock with the slip of its name.
        Assert.Empty(LockKeysOf(unborn).Intersect(LockKeysOf(slipped)));
        Assert.True(LockKeysOf(unborn).Count < LockKeysOf(person).Count);
    }
}
