using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Registration;

/// <summary>The cases table, with the person's identity as the case's own columns.</summary>
/// <param name="npgsql">Whether the store is PostgreSQL, which gets a trigram index for name search.</param>
public sealed class CaptureCaseConfiguration(bool npgsql) : IEntityTypeConfiguration<CaptureCase>
{
    /// <summary>
    /// The pending list of each name-search GIN index, in kB (storage parameter <c>gin_pending_list_limit</c>; the server's
    /// default is 4,096). New rows' trigrams wait in the pending list until it is merged into the index, and every search
    /// reads all of it: at the default, a search under registrations read up to 512 pages per index scan, 113 ms for a
    /// LIKE that found nothing (0.3 ms with the list empty). 64 kB bounds that to 8 pages, about a millisecond, while the
    /// merges stay batched: turning the list off (<c>fastupdate = off</c>) cost the preload about 30 % of its rate,
    /// 64 kB about 10 % of the import's at a million cases (docs/performance.md, "A million cases, again"; https://www.postgresql.org/docs/current/gin.html#GIN-FAST-UPDATE).
    /// </summary>
    public const int PendingListLimitKilobytes = 64;

    /// <summary>
    /// New cases after which autovacuum visits <c>cases</c> again (storage parameters <c>autovacuum_vacuum_insert_threshold</c>,
    /// with <c>autovacuum_vacuum_insert_scale_factor</c> 0; the server's default is 1,000 plus a fifth of the table). Duplicate
    /// detection reads the latest cases through covering indexes (the blocking keys, and the name frequencies over the latest
    /// <see cref="Domain.Linkage.LinkageModel.FrequencyWindow"/> cases), and an index-only scan is index-only only on pages the
    /// visibility map marks all-visible, which only VACUUM sets. On an insert-only table the default waits for a fifth of the
    /// table (40,000 cases at 200,000), so from a few hundred thousand cases on the window is nearly always in the part not yet
    /// vacuumed: the frequency counts of a common name took 11.9 ms with 464 heap fetches, 0.95 ms after a VACUUM (docs/performance.md, "Index-only scans need the
    /// visibility map"; https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-VISIBILITY-MAP).
    /// </summary>
    public const int AutovacuumInsertThreshold = 2_000;

    /// <summary>The PostgreSQL-only column of each case's characters of <see cref="NameSearch.SyllableClass"/> (a shadow property: the domain never reads it).</summary>
    public const string SearchSyllables = "SearchSyllables";

    public void Configure(EntityTypeBuilder<CaptureCase> e)
    {
        e.ToTable("cases");
        if (npgsql)
        {
            e.HasStorageParameter("autovacuum_vacuum_insert_threshold", AutovacuumInsertThreshold)
                .HasStorageParameter("autovacuum_vacuum_insert_scale_factor", 0);
        }

        e.HasKey(c => c.Number);
        e.Property(c => c.Number).UseIdentityByDefaultColumn();
        e.HasIndex(c => c.CaseId).IsUnique();
        e.HasIndex(c => c.RequestId).IsUnique();
        e.Property(c => c.RequestHash).HasMaxLength(CaptureCase.RequestHashLength);
        e.OwnsOne(c => c.Identity, IdentityColumns);
        e.Navigation(c => c.Identity).IsRequired();
        e.Property(c => c.SearchText).HasMaxLength(CaptureCase.SearchTextMaxLength);
        e.Property(c => c.AlsoKnownAs).HasMaxLength(CaptureCase.AlsoKnownAsMaxLength);
        var search = e.HasIndex(c => c.SearchText);
        if (npgsql)
        {
            // Name search is LIKE '%part%' on the normalised names; on PostgreSQL a trigram GIN index
            // answers it without a table scan. Other stores get a plain index and the same query.
            search.HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_cases_search_text_trgm")
                .HasStorageParameter("gin_pending_list_limit", PendingListLimitKilobytes);
        }

        e.Property(c => c.SearchKey).HasMaxLength(CaptureCase.SearchTextMaxLength);
        var searchKey = e.HasIndex(c => c.SearchKey);
        if (npgsql)
        {
            // The cross-script tokens: LIKE '%key%' and the fuzzy word stage's strict word similarity (<<%, answered as %>>) both use it.
            searchKey.HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_cases_search_key_trgm")
                .HasStorageParameter("gin_pending_list_limit", PendingListLimitKilobytes);
        }

        if (npgsql)
        {
            // The same-script tokens' characters of the short-word scripts (kana, CJK, Hangul: NameSearch.SyllableClass), each an
            // element, null for a case with none; computed and stored by PostgreSQL, so no code path can forget it. The GIN index
            // answers a query word of one or two such characters, which gives the trigram index nothing (CaseSearchQuery).
            e.Property<string[]?>(SearchSyllables).HasComputedColumnSql(
                $$"""string_to_array(NULLIF(regexp_replace("SearchText", '[^{{NameSearch.SyllableClass}}]', '', 'g'), ''), NULL)""", stored: true);
            e.HasIndex(SearchSyllables).HasMethod("gin").HasDatabaseName("ix_cases_search_syllables")
                .HasStorageParameter("gin_pending_list_limit", PendingListLimitKilobytes);
        }

        e.HasIndex(c => c.NameKeyVersion);

        e.OwnsOne(c => c.BlockingKeys, Duplicates.BlockingColumns.Configure);
        e.Navigation(c => c.BlockingKeys).IsRequired();
        e.HasIndex(c => c.CapturedAt);
        e.HasIndex(c => c.CapturingAgency);
        e.Property(c => c.ServiceNumberKey).HasMaxLength(CaptureCase.ServiceNumberKeyMaxLength);
        e.HasIndex(c => c.ServiceNumberKey);
        e.Property(c => c.NameKey).HasMaxLength(CaptureCase.NameKeyMaxLength);
        e.Property(c => c.LatinNameKey).HasMaxLength(CaptureCase.NameKeyMaxLength);
        e.Property(c => c.CapturePlace).HasMaxLength(CaptureCase.CapturePlaceMaxLength);
        e.Property(c => c.CapturingUnit).HasMaxLength(CaptureCase.CapturingUnitMaxLength);
        e.Property(c => c.CapturingAgency).HasMaxLength(CaptureCase.CapturingAgencyMaxLength);
        e.Property(c => c.CaptureCircumstances).HasMaxLength(CaptureCase.CaptureCircumstancesMaxLength);
        e.Property(c => c.StatusCategory).HasConversion<string>().HasMaxLength(40);
        e.Property(c => c.Revision).IsConcurrencyToken();
        e.Ignore(c => c.CaseNumber);
        e.Ignore(c => c.IsMerged);
        e.Ignore(c => c.DuplicateKeys);
    }

    private static void IdentityColumns(OwnedNavigationBuilder<CaptureCase, PersonIdentity> i)
    {
        // Column names without the owner prefix: these are the case's own columns.
        i.Property(p => p.FamilyName).HasColumnName("FamilyName").HasMaxLength(PersonIdentity.NameMaxLength);
        i.Property(p => p.GivenNames).HasColumnName("GivenNames").HasMaxLength(PersonIdentity.NameMaxLength);
        i.Property(p => p.FamilyNameLatin).HasColumnName("FamilyNameLatin").HasMaxLength(PersonIdentity.NameMaxLength);
        i.Property(p => p.GivenNamesLatin).HasColumnName("GivenNamesLatin").HasMaxLength(PersonIdentity.NameMaxLength);
        i.Property(p => p.Rank).HasColumnName("Rank").HasMaxLength(PersonIdentity.RankMaxLength);
        i.Property(p => p.ServiceNumber).HasColumnName("ServiceNumber").HasMaxLength(PersonIdentity.ServiceNumberMaxLength);
        i.Property(p => p.BirthYear).HasColumnName("BirthYear");
        i.Property(p => p.BirthMonth).HasColumnName("BirthMonth");
        i.Property(p => p.BirthDay).HasColumnName("BirthDay");
        i.Property(p => p.PlaceOfBirth).HasColumnName("PlaceOfBirth").HasMaxLength(PersonIdentity.PlaceOfBirthMaxLength);
        i.Property(p => p.Nationality).HasColumnName("Nationality").HasMaxLength(PersonIdentity.CountryCodeLength);
        i.Property(p => p.DependentPower).HasColumnName("DependentPower").HasMaxLength(PersonIdentity.CountryCodeLength);
        i.Property(p => p.Sex).HasColumnName("Sex").HasMaxLength(PersonIdentity.SexMaxLength);
        i.Property(p => p.Languages).HasColumnName("Languages").HasMaxLength(PersonIdentity.LanguagesMaxLength);
        i.Property(p => p.MilitaryUnit).HasColumnName("MilitaryUnit").HasMaxLength(PersonIdentity.MilitaryUnitMaxLength);
        i.Property(p => p.Role).HasColumnName("Role").HasMaxLength(PersonIdentity.RoleMaxLength);
        i.Property(p => p.InServiceSince).HasColumnName("InServiceSince").HasMaxLength(PersonIdentity.PartialDateMaxLength);
        i.Property(p => p.FatherFirstName).HasColumnName("FatherFirstName").HasMaxLength(PersonIdentity.NameMaxLength);
        i.Property(p => p.MotherMaidenName).HasColumnName("MotherMaidenName").HasMaxLength(PersonIdentity.NameMaxLength);
        i.Property(p => p.PersonToInform).HasColumnName("PersonToInform").HasMaxLength(PersonIdentity.PersonToInformMaxLength);
        i.Property(p => p.PersonToInformAddress).HasColumnName("PersonToInformAddress").HasMaxLength(PersonIdentity.PersonToInformAddressMaxLength);
        i.Ignore(p => p.DateOfBirth);
        i.Ignore(p => p.HasName);
        // Duplicate detection reads every open case of one nationality and birth year. On PostgreSQL the
        // migration DuplicateKeys makes this index cover what it reads (INCLUDE the case's number, id,
        // merge pointer, service number and name keys), so that it never visits the table: EF cannot
        // declare columns of the owner in an index of the owned type, hence SQL in that migration.
        i.HasIndex(p => new { p.Nationality, p.BirthYear });
    }
}
