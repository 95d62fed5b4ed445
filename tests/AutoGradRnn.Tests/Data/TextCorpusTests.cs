namespace AutoGradRnn.Tests;

/// <summary>
/// Loading text is strict UTF-8: a byte-order mark is dropped (and a file of only a mark is empty), an empty file and
/// an invalid byte are errors naming the file, and the invalid byte's offset counts the mark's 3 bytes when present.
/// </summary>
public class TextCorpusTests
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static string Write(TempDir dir, string name, params byte[][] parts)
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, [.. parts.SelectMany(p => p)]);
        return path;
    }

    [Fact]
    public void A_byte_order_mark_is_dropped_and_text_without_one_is_read_whole()
    {
        using var dir = new TempDir();
        Assert.Equal("añ🐳\n", TextCorpus.Load(Write(dir, "bom.txt", Bom, "añ🐳\n"u8.ToArray())));
        Assert.Equal("añ🐳\n", TextCorpus.Load(Write(dir, "plain.txt", "añ🐳\n"u8.ToArray())));
        Assert.Equal("x", TextCorpus.Load(Write(dir, "one.txt", "x"u8.ToArray())));
    }

    [Fact]
    public void An_empty_file_and_a_file_of_only_a_byte_order_mark_are_empty()
    {
        using var dir = new TempDir();
        foreach (var path in new[] { Write(dir, "empty.txt"), Write(dir, "bom.txt", Bom) })
        {
            var e = Assert.Throws<DataFormatException>(() => TextCorpus.Load(path));
            Assert.Equal($"{path}: the file is empty", e.Message);
            Assert.Equal(path, e.File);
        }
    }

    [Fact]
    public void An_invalid_byte_is_named_by_its_offset_in_the_file_and_its_value()
    {
        using var dir = new TempDir();
        var plain = Write(dir, "bad.txt", "ab"u8.ToArray(), [0xFF], "c"u8.ToArray());
        Assert.Equal($"{plain}: not valid UTF-8 at byte 2 (0xFF); convert the file to UTF-8", Assert.Throws<DataFormatException>(() => TextCorpus.Load(plain)).Message);
        var marked = Write(dir, "badbom.txt", Bom, "ab"u8.ToArray(), [0xFE], "c"u8.ToArray());
        Assert.Equal($"{marked}: not valid UTF-8 at byte 5 (0xFE); convert the file to UTF-8", Assert.Throws<DataFormatException>(() => TextCorpus.Load(marked)).Message);
        var first = Write(dir, "first.txt", [0x80], "abc"u8.ToArray());
        Assert.Contains("not valid UTF-8 at byte 0 (0x80)", Assert.Throws<DataFormatException>(() => TextCorpus.Load(first)).Message);
    }

    [Fact]
    public void A_sequence_cut_off_at_the_end_of_the_file_is_named_by_its_first_byte()
    {
        using var dir = new TempDir();
        var cut = Write(dir, "cut.txt", "abc"u8.ToArray(), [0xE2, 0x82]);   // € is E2 82 AC
        Assert.Contains("not valid UTF-8 at byte 3 (0xE2)", Assert.Throws<DataFormatException>(() => TextCorpus.Load(cut)).Message);
    }

    [Fact]
    public void A_null_path_is_refused_by_name_not_taken_for_a_missing_file()
    {
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => TextCorpus.Load(null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => CsvTable.Load(null!)).ParamName);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var dir = new TempDir();
        var path = dir.File("nothing.txt");
        var e = Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(path));
        Assert.Equal($"text file '{path}' does not exist", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void A_file_larger_than_a_string_can_hold_is_refused_before_it_is_read()
    {
        using var dir = new TempDir();
        var path = dir.File("huge.txt");
        using (var f = File.Create(path)) f.SetLength(TextCorpus.MaxBytes + 1);   // sparse: no disk space, no reading
        var e = Assert.Throws<DataFormatException>(() => TextCorpus.Load(path));
        Assert.Equal($"{path}: the file has {TextCorpus.MaxBytes + 1:N0} bytes, more than the {TextCorpus.MaxBytes:N0} a text can have here (the largest .NET string); split it", e.Message);
    }
}
