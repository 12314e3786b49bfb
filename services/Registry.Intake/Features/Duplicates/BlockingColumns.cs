using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;
using Registry.Intake.Domain.Linkage;

namespace Registry.Intake.Features.Duplicates;

/// <summary>
/// The blocking keys as columns of the cases table ("Linkage*"), each block's key indexed with the birth
/// year so that a block is one index range (<see cref="DuplicateQuery.BlockedWith"/>), and the name keys
/// with the case number so that a name's frequency over the latest cases is one index range too.
/// </summary>
public static class BlockingColumns
{
    /// <summary>The owner's key as the owned type sees it (the cases table's "Number").</summary>
    private const string Number = "CaptureCaseNumber";

    /// <summary>The family-name key's column (frequency counts read it by name: <see cref="DuplicateQuery.KeyCountsStatement"/>).</summary>
    public const string FamilyKeyColumn = "LinkageFamilyKey";

    /// <summary>The given-name key's column.</summary>
    public const string GivenKeyColumn = "LinkageGivenKey";

    public static void Configure(OwnedNavigationBuilder<CaptureCase, CaseBlockingKeys> k)
    {
        k.Property(x => x.FamilyKey).HasColumnName(FamilyKeyColumn).HasMaxLength(CaseBlockingKeys.KeyMaxLength);
        k.Property(x => x.GivenKey).HasColumnName(GivenKeyColumn).HasMaxLength(CaseBlockingKeys.KeyMaxLength);
        k.Property(x => x.FullKey).HasColumnName("LinkageFullKey").HasMaxLength(CaseBlockingKeys.KeyMaxLength);
        k.Property(x => x.FullKeyLatin).HasColumnName("LinkageFullKeyLatin").HasMaxLength(CaseBlockingKeys.KeyMaxLength);
        k.Property(x => x.FamilyBlock).HasColumnName("LinkageFamilyBlock").HasMaxLength(CaseBlockingKeys.KeyMaxLength);
        k.Property(x => x.GivenBlock).HasColumnName("LinkageGivenBlock").HasMaxLength(CaseBlockingKeys.KeyMaxLength);
        k.Property(x => x.BirthYear).HasColumnName("LinkageBirthYear");
        k.HasIndex(x => new { x.FullKey, x.BirthYear });
        k.HasIndex(x => new { x.FullKeyLatin, x.BirthYear });
        k.HasIndex(x => new { x.FamilyBlock, x.BirthYear });
        k.HasIndex(x => new { x.GivenBlock, x.BirthYear });
        k.HasIndex(nameof(CaseBlockingKeys.FamilyKey), Number);
        k.HasIndex(nameof(CaseBlockingKeys.GivenKey), Number);
    }
}
