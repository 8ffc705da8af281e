using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kallglot.Emulator;

/// <summary>The emulator's JSON as <see cref="EmulatorOptions.JsonEscaping"/> says to write it.</summary>
internal static class EmulatorJson
{
    private static readonly JsonSerializerOptions MinimalOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions StrictOptions = new() { Encoder = JavaScriptEncoder.Default };

    public static JavaScriptEncoder EncoderFor(JsonEscaping escaping) =>
        escaping == JsonEscaping.Strict ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static string Serialize(JsonNode node, JsonEscaping escaping) =>
        escaping == JsonEscaping.Strict ? EscapeSlashes(node.ToJsonString(StrictOptions)) : node.ToJsonString(MinimalOptions);

    public static IResult Result(JsonNode node, JsonEscaping escaping, int statusCode = 200) =>
        Results.Text(Serialize(node, escaping), "application/json", Encoding.UTF8, statusCode);

    /// <summary>'/' as '\/', as some servers write it; outside strings JSON has no '/', so every one can be escaped.</summary>
    public static string EscapeSlashes(string json) => json.Replace("/", "\\/", StringComparison.Ordinal);
}
