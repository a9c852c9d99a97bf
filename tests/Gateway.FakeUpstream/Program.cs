using Gateway.FakeUpstream;

// A fake OpenAI-compatible upstream for trying the gateway without an API key, and for the bench.
//   dotnet run --project tests/Gateway.FakeUpstream -- --urls http://127.0.0.1:9100 [--chunk-delay-ms 20] [--chunks 64] [--agent]
// --agent: the scripted agent model (AgentModel) answers every format (OpenAI, Anthropic, Gemini, and a chat site's at …/v2/chats), for driving real agent CLIs.
// With --chunks, a stream for the model "echo-short" has one content chunk (Scripts.ShortModel).
var url = "http://127.0.0.1:9100";
var delay = TimeSpan.Zero;
var chunks = 0;
var agent = args.Contains("--agent");
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--urls":
            url = args[i + 1];
            break;
        case "--chunk-delay-ms":
            delay = TimeSpan.FromMilliseconds(double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture));
            break;
        case "--chunks":
            chunks = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            break;
    }
}

await using var server = await FakeUpstreamServer.StartAsync(url);
server.Default = agent ? AgentModel.OpenAI(Console.Out) : Scripts.Echo(delay, chunks);
server.AnthropicDefault = agent ? AgentModel.Anthropic(Console.Out) : Scripts.AnthropicEcho(delay, chunks);
server.GeminiDefault = agent ? AgentModel.Gemini(Console.Out) : GeminiEvents.Echo();
server.ChatSiteDefault = agent ? AgentModel.ChatSite(server.Site, Console.Out) : server.Site.Echo();
server.Models = ["echo", Scripts.ShortModel, "fake-model"];
Console.WriteLine($"Fake upstream listening on {server.BaseUrl} (models: echo, {Scripts.ShortModel}, fake-model{(agent ? "; agent model" : string.Empty)}). Ctrl+C to stop.");
// Ctrl+C and SIGTERM stop the host (its console lifetime handles both).
await server.WaitForShutdownAsync();
