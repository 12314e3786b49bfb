using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.TrueType;
using UglyToad.PdfPig.Fonts.TrueType.Parser;
using System.Collections.Concurrent;
using System.Text;
using PdfSharp.Fonts;
using Registry.Medical.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Certificates;

/// <summary>
/// The font files certificates are rendered with, looked up in the folders of <see cref="FontPathKey"/> (a list like
/// PATH; default: Debian's folders of the packages named below). Two faces, regular and bold, of two families:
/// DejaVu Sans (fonts-dejavu-core) for Latin, Cyrillic and the rest of the text, and Nanum Gothic (fonts-nanum) for
/// Hangul and CJK characters, which DejaVu lacks. Both are TrueType-outline .ttf files: PDFsharp 6.2 embeds them as
/// subsets (it reads neither .ttc collections nor computes subsets of CFF-outline .otf, e.g. fonts-noto-cjk's).
/// A missing file is logged at start (<see cref="CertificateFontCheck"/>) and answers a render that needs it with
/// FAILED_PRECONDITION FONT_MISSING naming the file and its package: the rest of medical works on without it, and the
/// certificates themselves are stored and can be rendered once it is installed.
/// </summary>
public sealed class CertificateFonts
{
    public const string FontPathKey = "Certificates:FontPath";

    public static readonly string DefaultFontPath = string.Join(Path.PathSeparator,
        "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/nanum");

    public static readonly FontFace Text = new("DejaVuSans.ttf", "fonts-dejavu-core", "Latin, Cyrillic and other text");
    public static readonly FontFace TextBold = new("DejaVuSans-Bold.ttf", "fonts-dejavu-core", "Latin, Cyrillic and other text (bold)");
    public static readonly FontFace Hangul = new("NanumGothic.ttf", "fonts-nanum", "Hangul and CJK characters");
    public static readonly FontFace HangulBold = new("NanumGothicBold.ttf", "fonts-nanum", "Hangul and CJK characters (bold)");

    private readonly Dictionary<FontFace, string?> _files;
    private readonly Dictionary<FontFace, Lazy<TrueTypeFont?>> _characters;

    public CertificateFonts(IConfiguration configuration)
    {
        var setting = configuration[FontPathKey];
        Folders = (string.IsNullOrWhiteSpace(setting) ? DefaultFontPath : setting)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _files = new[] { Text, TextBold, Hangul, HangulBold }.ToDictionary(f => f, f => Folders
            .Select(folder => Path.GetFullPath(Path.Combine(folder, f.FileName))).FirstOrDefault(File.Exists));
        // The font file's own character map, read with PdfPig's TrueType parser (PDFsharp keeps its own internal).
        _characters = _files.ToDictionary(f => f.Key, f => new Lazy<TrueTypeFont?>(() => f.Value is null ? null
            : TrueTypeFontParser.Parse(new TrueTypeDataBytes(new MemoryInputBytes(File.ReadAllBytes(f.Value))))));
        PathFontResolver.Install();
    }

    public IReadOnlyList<string> Folders { get; }

    public IEnumerable<FontFace> Missing => _files.Where(f => f.Value is null).Select(f => f.Key);

    /// <summary>The family name PDFsharp is given for <paramref name="face"/>: its file's path, which <see cref="PathFontResolver"/> serves.</summary>
    public string FamilyOf(FontFace face, string subject) => _files[face] ?? throw RpcErrors.FailedPrecondition(
        "FONT_MISSING", TreatmentCertificate.ResourceType, subject,
        $"The certificate needs the font {face.FileName} ({face.Covers}; Debian package {face.Package}), which is in none of the folders of " +
        $"{FontPathKey} ({string.Join(Path.PathSeparator, Folders)}); install it there, or name its folder.");

    /// <summary>
    /// Whether the regular face that draws free text (Nanum Gothic when <paramref name="hangul"/>, else DejaVu Sans) has a
    /// glyph for <paramref name="rune"/>, from its file's character map; null when the file is not installed.
    /// </summary>
    public bool? HasGlyph(bool hangul, Rune rune) => _characters[hangul ? Hangul : Text].Value is { } font
        ? font.TableRegister.CMapTable?.TryGetGlyphIndex(rune.Value, out var glyph) == true && glyph != 0
        : null;

    /// <summary>Why <paramref name="text"/> cannot be printed on a certificate, naming its first such character; null when it can (<see cref="CertificateScripts"/>).</summary>
    public string? Unprintable(string text) => CertificateScripts.Unprintable(text, HasGlyph);

    public sealed record FontFace(string FileName, string Package, string Covers);

    /// <summary>
    /// PDFsharp's font resolver, one per process (GlobalFontSettings allows one, set before the first use): a family
    /// name is a font file's full path, so every host in the process (the tests start several, the embedded host
    /// composes the modules) is served its own configured files without sharing configuration.
    /// </summary>
    private sealed class PathFontResolver : IFontResolver
    {
        private static readonly PathFontResolver Instance = new();
        private static readonly Lock Gate = new();
        private readonly ConcurrentDictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);

        public static void Install()
        {
            lock (Gate)
            {
                if (GlobalFontSettings.FontResolver is null)
                {
                    GlobalFontSettings.FontResolver = Instance;
                }
                else if (!ReferenceEquals(GlobalFontSettings.FontResolver, Instance))
                {
                    throw new InvalidOperationException(
                        "PDFsharp's font resolver was already set by other code in this process; the certificates of treatment cannot choose their fonts.");
                }
            }
        }

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            Path.IsPathFullyQualified(familyName) && File.Exists(familyName) ? new FontResolverInfo(familyName) : null;

        public byte[]? GetFont(string faceName) => _bytes.GetOrAdd(faceName, File.ReadAllBytes);
    }
}

/// <summary>Says at start which certificate fonts are missing, so an operator learns it before a medic does.</summary>
public sealed class CertificateFontCheck(CertificateFonts fonts, ILogger<CertificateFontCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = fonts.Missing.ToList();
        if (missing.Count == 0)
        {
            logger.LogInformation("Certificate fonts found in {Folders}", string.Join(Path.PathSeparator, fonts.Folders));
        }
        else
        {
            logger.LogWarning(
                "Certificates of treatment that need {Missing} cannot be rendered (FAILED_PRECONDITION FONT_MISSING): not in {Folders} ({Key}); install {Packages}",
                string.Join(", ", missing.Select(f => f.FileName)), string.Join(Path.PathSeparator, fonts.Folders), CertificateFonts.FontPathKey,
                string.Join(" ", missing.Select(f => f.Package).Distinct()));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
