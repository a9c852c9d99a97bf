using System.Security.Cryptography;
using System.Text;

namespace Gateway.State.Tables;

/// <summary>
/// Turns ids into PartitionKey/RowKey values. Table keys may not contain '/', '\', '#', '?' or control
/// characters and are limited to 1 KiB, and model ids such as <c>openai/gpt-4o</c> contain '/': those
/// characters (and '%') are percent-escaped, so keys stay readable and reversible; a very long id is
/// replaced by its SHA-256 (the original is kept in the entity).
/// </summary>
internal static class TableKeys
{
    private const int MaxLength = 200;

    public static string Encode(string id)
    {
        var builder = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Length <= MaxLength
            ? builder.ToString()
            : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }
}
