using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Registry.Medical.Domain;

namespace Registry.Medical.Features.Certificates;

/// <summary>
/// A certificate of treatment as a PDF (PDFsharp 6.2, A4): the prisoner's copy with its labels in the certificate's
/// language, then the registry's copy with English labels, each starting on a page of its own and running on to
/// further pages when the text is long. Two copies rather than one with bilingual labels: the prisoner keeps a copy he
/// reads whole, the registry one its staff read, and each is complete alone. Free text is printed as the medic entered
/// it (issuing refused what the fonts cannot print, <see cref="CertificateScripts"/>); every character is drawn with the
/// font that has it (Hangul, CJK and kana: Nanum Gothic; the rest: DejaVu Sans; <see cref="CertificateScripts.Blocks"/>),
/// as real text with a Unicode map, so the PDF's text can be read back.
/// </summary>
public sealed class CertificateDocument(CertificateFonts fonts)
{
    public const string ContentType = "application/pdf";

    public static string FileName(TreatmentCertificate c) => $"{c.CertificateNumber}.pdf";

    public byte[] Render(TreatmentCertificate certificate)
    {
        var document = new PdfDocument();
        document.Info.Title = $"{CertificateLabels.English.Title} {certificate.CertificateNumber}";
        document.Info.Subject = CertificateLabels.English.Basis;
        document.Info.Creator = "Registry medical service";
        document.Info.CreationDate = certificate.IssuedAt.UtcDateTime;
        var typefaces = new Typefaces(fonts, certificate);
        Copy(document, typefaces, certificate, CertificateLabels.For(certificate.Language), prisoners: true);
        Copy(document, typefaces, certificate, CertificateLabels.English, prisoners: false);
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static void Copy(PdfDocument document, Typefaces typefaces, TreatmentCertificate c, CertificateLabels l, bool prisoners)
    {
        using var page = new PageWriter(document, typefaces);
        page.Title(l.Title, c.CertificateNumber);
        page.Line($"{l.Basis} · {(prisoners ? l.PrisonerCopy : l.RegistryCopy)}", Typefaces.Small);
        page.Gap(14);
        page.Field(l.Number, c.CertificateNumber);
        page.Field(l.Case, c.CaseNumber);
        page.Field(l.Name, c.Name is { } name ? name.Latin is { } latin && latin != name.Native ? $"{name.Native} ({latin})" : name.Native : l.NotRecorded);
        page.Field(l.RequestedAt, Day(c.RequestedAt));
        page.Field(l.Nature, [.. c.ConditionsStated, .. c.Nature is null ? Array.Empty<string>() : [c.Nature]]);
        page.Field(l.Treatment, c.Treatment);
        page.Field(l.Duration, string.Format(CultureInfo.InvariantCulture, l.FromTo, Day(c.TreatmentFrom), c.TreatmentTo is { } to ? Day(to) : l.Ongoing));
        page.Field(l.Place, c.Place);
        page.Field(l.Medic, $"{c.MedicName}, {c.MedicFunction}");
        page.Field(l.IssuedThrough, $"{c.IssuedByAgency}, {c.IssuedByClient}");
        page.Field(l.IssuedAt, c.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        page.Gap(36);
        page.Field(l.Signature, "______________________________");
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The fonts of one rendering: each asked for once, FONT_MISSING when a face the text needs is not installed.</summary>
    private sealed class Typefaces(CertificateFonts fonts, TreatmentCertificate certificate)
    {
        public const double Body = 10;
        public const double Small = 8.5;
        public const double Heading = 16;
        private readonly Dictionary<(CertificateFonts.FontFace, double), XFont> _fonts = [];

        public XFont Font(bool hangul, bool bold, double size)
        {
            var face = (hangul, bold) switch
            {
                (true, true) => CertificateFonts.HangulBold,
                (true, false) => CertificateFonts.Hangul,
                (false, true) => CertificateFonts.TextBold,
                _ => CertificateFonts.Text,
            };
            if (!_fonts.TryGetValue((face, size), out var font))
            {
                var options = new XPdfFontOptions(PdfFontEncoding.Unicode, PdfFontEmbedding.TryComputeSubset);
                font = new XFont(fonts.FamilyOf(face, certificate.Subject), size, XFontStyleEx.Regular, options);
                _fonts[(face, size)] = font;
            }

            return font;
        }
    }

    /// <summary>Writes lines down a page, label column then value column, and opens a new page when one is full.</summary>
    private sealed class PageWriter : IDisposable
    {
        private const double Margin = 56;
        private const double LabelWidth = 170;
        private const double ColumnGap = 12;
        private readonly PdfDocument _document;
        private readonly Typefaces _typefaces;
        private XGraphics _graphics = null!;
        private double _width;
        private double _bottom;
        private double _y;

        public PageWriter(PdfDocument document, Typefaces typefaces)
        {
            _document = document;
            _typefaces = typefaces;
            NewPage();
        }

        private void NewPage()
        {
            _graphics?.Dispose();
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(page);
            _width = page.Width.Point - 2 * Margin;
            _bottom = page.Height.Point - Margin;
            _y = Margin;
        }

        public void Title(string title, string number)
        {
            Line($"{title} {number}", Typefaces.Heading, bold: true);
            Gap(4);
        }

        public void Gap(double points) => _y += points;

        public void Line(string text, double size, bool bold = false)
        {
            foreach (var line in Wrap(text, _width, size, bold))
            {
                EnsureRoom(size);
                Draw(line, Margin, size, bold);
                _y += LineHeight(size);
            }
        }

        public void Field(string label, string value) => Field(label, [value]);

        /// <summary>A label and its value (one paragraph per item), side by side; a row that does not fit goes on on the next page.</summary>
        public void Field(string label, IReadOnlyList<string> paragraphs)
        {
            var valueX = Margin + LabelWidth + ColumnGap;
            var labelLines = Wrap(label, LabelWidth, Typefaces.Body, bold: true);
            var valueLines = paragraphs.SelectMany(p => Wrap(p, _width - LabelWidth - ColumnGap, Typefaces.Body, bold: false)).ToList();
            for (var i = 0; i < Math.Max(labelLines.Count, valueLines.Count); i++)
            {
                EnsureRoom(Typefaces.Body);
                if (i < labelLines.Count)
                {
                    Draw(labelLines[i], Margin, Typefaces.Body, bold: true);
                }

                if (i < valueLines.Count)
                {
                    Draw(valueLines[i], valueX, Typefaces.Body, bold: false);
                }

                _y += LineHeight(Typefaces.Body);
            }

            _y += 6;
        }

        public void Dispose() => _graphics.Dispose();

        private static double LineHeight(double size) => size * 1.45;

        private void EnsureRoom(double size)
        {
            if (_y + LineHeight(size) > _bottom)
            {
                NewPage();
            }
        }

        private void Draw(string line, double x, double size, bool bold)
        {
            foreach (var (run, hangul) in Runs(line))
            {
                var font = _typefaces.Font(hangul, bold, size);
                _graphics.DrawString(run, font, XBrushes.Black, x, _y, XStringFormats.TopLeft);
                x += _graphics.MeasureString(run, font).Width;
            }
        }

        private double Measure(string text, double size, bool bold) =>
            Runs(text).Sum(r => _graphics.MeasureString(r.Text, _typefaces.Font(r.Hangul, bold, size)).Width);

        /// <summary>Greedy line breaking at spaces; a word wider than the line is broken between characters (text elements).</summary>
        private List<string> Wrap(string text, double width, double size, bool bold)
        {
            var lines = new List<string>();
            var line = new StringBuilder();
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : $"{line} {word}";
                if (Measure(candidate, size, bold) <= width)
                {
                    line.Clear().Append(candidate);
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                // The word alone: broken where it must.
                var elements = StringInfo.GetTextElementEnumerator(word);
                while (elements.MoveNext())
                {
                    var element = elements.GetTextElement();
                    if (line.Length > 0 && Measure(line + element, size, bold) > width)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                    }

                    line.Append(element);
                }
            }

            if (line.Length > 0 || lines.Count == 0)
            {
                lines.Add(line.ToString());
            }

            return lines;
        }

        /// <summary>The text cut where it changes between Hangul/CJK and everything else, each part for its own font.</summary>
        private static IEnumerable<(string Text, bool Hangul)> Runs(string text)
        {
            var run = new StringBuilder();
            var current = false;
            foreach (var rune in text.EnumerateRunes())
            {
                // A space or punctuation mark joins the run it is in.
                var hangul = rune.Value == ' ' ? current : CertificateScripts.IsHangulFace(rune);
                if (run.Length > 0 && hangul != current)
                {
                    yield return (run.ToString(), current);
                    run.Clear();
                }

                current = hangul;
                run.Append(rune.ToString());
            }

            if (run.Length > 0)
            {
                yield return (run.ToString(), current);
            }
        }
    }
}
