using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>
/// One route of the gateway as both hosts serve it: the template, the methods it answers and the
/// endpoint it runs. Instances come from <see cref="GatewayRouteTable"/> only.
/// </summary>
public sealed class GatewayRoute
{
    internal GatewayRoute(string name, string template, IReadOnlyList<string> methods, GatewayEndpoint endpoint, bool serverOnly = false)
    {
        Name = name;
        Template = template;
        Methods = methods;
        Endpoint = endpoint;
        ServerOnly = serverOnly;
        AnswersPreflight = methods.Contains(HttpMethods.Options);
    }

    /// <summary>Name of the route; the Functions host uses it as the function name.</summary>
    public string Name { get; }

    /// <summary>Route template without a leading slash (<c>""</c> is the root).</summary>
    public string Template { get; }

    /// <summary>
    /// The template as an Azure Functions route: an empty route needs an optional parameter that must
    /// stay empty, since the host reads an empty <c>Route</c> as "use the function name".
    /// </summary>
    public string FunctionsTemplate => Template.Length == 0 ? GatewayRoutes.RootFunctions : Template;

    /// <summary>
    /// Upper-case HTTP methods the route answers (GET routes also HEAD; <c>OPTIONS</c> where a browser
    /// may send a CORS preflight). Empty: any method (the fallback).
    /// </summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>True when <see cref="Methods"/> lists <c>OPTIONS</c>: the route answers CORS preflights.</summary>
    public bool AnswersPreflight { get; }

    /// <summary>Served by the standalone Server only (the fallback; Functions answers unknown routes itself).</summary>
    public bool ServerOnly { get; }

    internal GatewayEndpoint Endpoint { get; }

    /// <summary>True when the route answers <paramref name="method"/>.</summary>
    public bool Accepts(string method)
    {
        if (Methods.Count == 0)
        {
            return true;
        }

        foreach (var accepted in Methods)
        {
            if (string.Equals(accepted, method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
