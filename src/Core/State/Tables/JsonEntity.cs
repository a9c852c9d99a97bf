using Azure;
using Azure.Data.Tables;

namespace Gateway.State.Tables;

/// <summary>
/// A JSON record in a table of its own (<c>{prefix}Thinking</c>: remembered thinking blocks;
/// <c>{prefix}Responses</c>: kept responses). PartitionKey = the record key (a SHA-256 hex digest), RowKey =
/// the table's row name: one entity per record. A string property holds at most 64 KiB (32 K UTF-16
/// characters), so the JSON is split over <see cref="Part0"/>…<see cref="Part15"/> of up to
/// <see cref="PartLength"/> characters each; a record larger than <see cref="MaxLength"/> is not stored
/// (its users go on without it rather than failing). Schema-versioned.
/// </summary>
internal sealed class JsonEntity : ITableEntity
{
    public const int CurrentSchema = 1;
    public const int PartLength = 30_000;
    public const int MaxParts = 16;

    /// <summary>The longest JSON a record holds.</summary>
    public const int MaxLength = PartLength * MaxParts;

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int SchemaVersion { get; set; }

    public int Parts { get; set; }

    public string? Part0 { get; set; }

    public string? Part1 { get; set; }

    public string? Part2 { get; set; }

    public string? Part3 { get; set; }

    public string? Part4 { get; set; }

    public string? Part5 { get; set; }

    public string? Part6 { get; set; }

    public string? Part7 { get; set; }

    public string? Part8 { get; set; }

    public string? Part9 { get; set; }

    public string? Part10 { get; set; }

    public string? Part11 { get; set; }

    public string? Part12 { get; set; }

    public string? Part13 { get; set; }

    public string? Part14 { get; set; }

    public string? Part15 { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Splits <paramref name="json"/> over the parts; false when it does not fit.</summary>
    public bool TrySetJson(string json)
    {
        var parts = (json.Length + PartLength - 1) / PartLength;
        if (parts > MaxParts)
        {
            return false;
        }

        Parts = parts;
        for (var i = 0; i < parts; i++)
        {
            SetPart(i, json.Substring(i * PartLength, Math.Min(PartLength, json.Length - (i * PartLength))));
        }

        return true;
    }

    /// <summary>The parts joined again; null when one is missing.</summary>
    public string? Json()
    {
        if (Parts is <= 0 or > MaxParts)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder(Parts * PartLength);
        for (var i = 0; i < Parts; i++)
        {
            if (GetPart(i) is not { } part)
            {
                return null;
            }

            builder.Append(part);
        }

        return builder.ToString();
    }

    private string? GetPart(int i) => i switch
    {
        0 => Part0, 1 => Part1, 2 => Part2, 3 => Part3, 4 => Part4, 5 => Part5, 6 => Part6, 7 => Part7,
        8 => Part8, 9 => Part9, 10 => Part10, 11 => Part11, 12 => Part12, 13 => Part13, 14 => Part14, _ => Part15,
    };

    private void SetPart(int i, string value)
    {
        switch (i)
        {
            case 0: Part0 = value; break;
            case 1: Part1 = value; break;
            case 2: Part2 = value; break;
            case 3: Part3 = value; break;
            case 4: Part4 = value; break;
            case 5: Part5 = value; break;
            case 6: Part6 = value; break;
            case 7: Part7 = value; break;
            case 8: Part8 = value; break;
            case 9: Part9 = value; break;
            case 10: Part10 = value; break;
            case 11: Part11 = value; break;
            case 12: Part12 = value; break;
            case 13: Part13 = value; break;
            case 14: Part14 = value; break;
            default: Part15 = value; break;
        }
    }
}
