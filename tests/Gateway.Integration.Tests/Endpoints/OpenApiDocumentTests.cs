using Gateway.Endpoints;
using Gateway.Integration.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Gateway.Integration.Tests.Endpoints;

/// <summary>
/// <c>docs/openapi.yaml</c> against the route table the Server maps: every route described with the same
/// methods, no path the Server does not serve, every operation with responses, every <c>$ref</c> resolving.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string[] Operations = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private static readonly Lazy<YamlMappingNode> Document = new(() =>
    {
        var path = Path.Combine(Repository.Root, "docs", "openapi.yaml");
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    });

    private static IEnumerable<GatewayRoute> ServerRoutes => GatewayRouteTable.All.Where(r => r != GatewayRouteTable.Fallback);

    [Fact]
    public void Document_IsOpenApi31()
    {
        Assert.StartsWith("3.1.", Scalar(Document.Value, "openapi"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(Scalar(Map(Document.Value, "info"), "title")));
    }

    [Fact]
    public void EveryServerRoute_IsDescribed_WithItsMethods()
    {
        var paths = Map(Document.Value, "paths");

        foreach (var route in ServerRoutes)
        {
            var path = "/" + route.Template;
            Assert.True(paths.Children.ContainsKey(new YamlScalarNode(path)), $"docs/openapi.yaml lacks {path} ({route.Name}), which the Server maps");
            var item = Map(paths, path);
            var described = item.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Where(Operations.Contains).Order(StringComparer.Ordinal).ToList();

            // HEAD (every GET) and OPTIONS (CORS preflights) are implied, as the document's description says.
            var served = route.Methods.Where(m => !HttpMethods.IsHead(m) && !HttpMethods.IsOptions(m)).Select(m => m.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
            Assert.True(served.SequenceEqual(described), $"{path}: the Server answers [{string.Join(", ", served)}], the document describes [{string.Join(", ", described)}]");
        }
    }

    [Fact]
    public void EveryDescribedPath_IsAServerRoute()
    {
        var served = ServerRoutes.Select(r => "/" + r.Template).ToHashSet(StringComparer.Ordinal);

        foreach (var (key, _) in Map(Document.Value, "paths").Children)
        {
            var path = ((YamlScalarNode)key).Value!;
            Assert.True(served.Contains(path), $"docs/openapi.yaml describes {path}, which the Server does not map");
        }
    }

    [Fact]
    public void EveryOperation_HasResponsesWithAnErrorSchema_AndEveryRefResolves()
    {
        foreach (var (key, value) in Map(Document.Value, "paths").Children)
        {
            foreach (var (operationKey, operation) in ((YamlMappingNode)value).Children)
            {
                var name = ((YamlScalarNode)operationKey).Value!;
                if (!Operations.Contains(name))
                {
                    continue;
                }

                var responses = Map((YamlMappingNode)operation, "responses");
                var statuses = responses.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
                Assert.Contains(statuses, s => s.StartsWith('2'));
                // Liveness answers 200 while the process serves, and nothing else.
                Assert.True(((YamlScalarNode)key).Value == "/health/live" || statuses.Any(s => s[0] is '4' or '5'), $"{name} {((YamlScalarNode)key).Value} describes no error response");
            }
        }

        foreach (var reference in References(Document.Value))
        {
            Assert.StartsWith("#/", reference, StringComparison.Ordinal);
            YamlNode node = Document.Value;
            foreach (var part in reference[2..].Split('/'))
            {
                Assert.True(node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(part)), $"$ref {reference} does not resolve");
                node = ((YamlMappingNode)node)[new YamlScalarNode(part)];
            }
        }
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[new YamlScalarNode(key)];

    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[new YamlScalarNode(key)]).Value;

    private static IEnumerable<string> References(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    if (key is YamlScalarNode { Value: "$ref" } && value is YamlScalarNode { Value: { } reference })
                    {
                        yield return reference;
                    }

                    foreach (var inner in References(value))
                    {
                        yield return inner;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    foreach (var inner in References(item))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }
}
