using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kallglot.Sessions;

/// <summary>
/// Converts between JSON and plain .NET values (dictionaries, lists, strings, numbers, booleans),
/// the shapes a script can build and read without knowing System.Text.Json.
/// </summary>
public static class JsonValueConverter
{
    /// <summary>A JSON node for a plain .NET value; dictionaries become objects, other sequences arrays.</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int or long or short or byte or sbyte or uint or ushort or ulong => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        float or double or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        DateTime time => JsonValue.Create(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset time => JsonValue.Create(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
        Guid or Uri or Enum => JsonValue.Create(value.ToString()),
        IDictionary dictionary => ToObject(dictionary),
        IEnumerable sequence => ToArray(sequence),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static JsonObject ToObject(IDictionary dictionary)
    {
        var node = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            node[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = ToNode(entry.Value);
        }
        return node;
    }

    private static JsonArray ToArray(IEnumerable sequence)
    {
        var node = new JsonArray();
        foreach (var item in sequence)
        {
            node.Add(ToNode(item));
        }
        return node;
    }

    /// <summary>
    /// A plain .NET value for a JSON element: objects become ordered, case-insensitive dictionaries
    /// (so <c>$x.Raw.session_id</c> reads naturally in a script), arrays become object arrays.
    /// </summary>
    public static object? ToPlain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToDictionary(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = ToPlain(property.Value);
        }
        return result;
    }
}
