using System.Net;
using System.Text.Json.Nodes;
using CustomerCare.SampleHost.Tests.Infrastructure;

namespace CustomerCare.SampleHost.Tests.OpenApi;

/// <summary>A host without demo data: enough for everything that does not need tenants.</summary>
public sealed class UnseededSampleHostFactory : SampleHostFactory
{
    protected override bool SeedDemoData => false;
}

/// <summary>The OpenAPI document the sample serves describes every endpoint, its errors and its security.</summary>
public sealed class OpenApiDocumentTests(UnseededSampleHostFactory host) : IClassFixture<UnseededSampleHostFactory>
{
    private const string Prefix = "/t/{tenant}/api";

    /// <summary>Every CustomerCare operation with the 4xx answers it must document (besides 401, 404, 429 and 503, which all have).</summary>
    public static TheoryData<string, string, int[]> CustomerCareOperations => new()
    {
        { "get", "/me", [] },
        { "patch", "/me", [400, 403, 413, 415] },
        { "delete", "/me", [403] },
        { "post", "/tickets", [400, 403, 413, 415, 422] },
        { "get", "/tickets", [400] },
        { "get", "/tickets/{id}", [] },
        { "post", "/tickets/{id}/messages", [400, 403, 409, 413, 415, 422] },
        { "get", "/tickets/{id}/messages", [400] },
        { "get", "/tickets/{id}/events", [] },
        { "post", "/tickets/{id}/assign", [400, 403, 409, 412, 413] },
        { "post", "/tickets/{id}/resolve", [403, 409, 412] },
        { "post", "/tickets/{id}/close", [403, 409, 412] },
        { "post", "/tickets/{id}/reopen", [403, 409, 412] },
        { "get", "/agents", [403] },
        { "post", "/agents", [400, 403, 409, 413] },
        { "delete", "/agents/{id}", [403, 409] },
        { "get", "/customers", [400, 403] },
        { "delete", "/customers/{id}", [403] },
        { "get", "/notifications/dead-letters", [400, 403] },
        { "post", "/notifications/{id}/retry", [403, 409] },
        { "get", "/notifications/templates", [403] },
        { "put", "/notifications/templates/{kind}", [400, 403, 413, 415] },
        { "delete", "/notifications/templates/{kind}", [403] },
        { "get", "/notifications/preferences", [] },
        { "put", "/notifications/preferences", [400, 413, 415] },
    };

    [Theory]
    [MemberData(nameof(CustomerCareOperations))]
    public async Task Every_CustomerCare_endpoint_is_described_with_its_problem_responses(string method, string path, int[] specific)
    {
        var document = await GetDocumentAsync();
        var operation = document["paths"]?[Prefix + path]?[method];
        Assert.True(operation is not null, $"{method.ToUpperInvariant()} {Prefix}{path} is not in the OpenAPI document.");
        Assert.StartsWith("CustomerCare.", (string?)operation["operationId"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{method} {path} has no summary.");

        var responses = operation["responses"]!.AsObject();
        Assert.Contains(responses, r => r.Key.StartsWith('2'));
        foreach (var status in new[] { 401, 404, 429, 503 }.Concat(specific))
        {
            var response = responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            Assert.True(response is not null, $"{method.ToUpperInvariant()} {path} does not document {status}; it documents {string.Join(", ", responses.Select(r => r.Key))}.");
            var schema = (string?)response["content"]?["application/problem+json"]?["schema"]?["$ref"];
            Assert.True(schema is "#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails",
                $"{method.ToUpperInvariant()} {path} {status} is not a problem-details response: {response.ToJsonString()}");
        }
        if (specific.Contains(400))
            Assert.Equal("#/components/schemas/HttpValidationProblemDetails", (string?)responses["400"]?["content"]?["application/problem+json"]?["schema"]?["$ref"]);
    }

    [Fact]
    public async Task Every_path_parameter_of_a_CustomerCare_path_is_declared()
    {
        var document = await GetDocumentAsync();
        var paths = document["paths"]!.AsObject().Where(p => p.Key.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(paths);
        foreach (var (path, item) in paths)
        {
            var templated = System.Text.RegularExpressions.Regex.Matches(path, @"\{([^}]+)\}").Select(m => m.Groups[1].Value).ToList();
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Value is JsonObject && o.Key is "get" or "post" or "patch" or "put" or "delete"))
            {
                var declared = (item["parameters"]?.AsArray() ?? []).Concat(operation!["parameters"]?.AsArray() ?? [])
                    .Where(p => (string?)p!["in"] == "path").Select(p => (string?)p!["name"]).ToList();
                foreach (var name in templated)
                    Assert.True(declared.Contains(name), $"{method.ToUpperInvariant()} {path} does not declare its path parameter '{name}'.");
            }
        }
    }

    [Fact]
    public async Task The_document_declares_bearer_authentication()
    {
        var document = await GetDocumentAsync();
        var bearer = document["components"]?["securitySchemes"]?["bearer"];
        Assert.NotNull(bearer);
        Assert.Equal("http", (string?)bearer["type"]);
        Assert.Equal("bearer", (string?)bearer["scheme"]);
        Assert.Contains(document["security"]!.AsArray(), requirement => requirement!.AsObject().ContainsKey("bearer"));
    }

    [Fact]
    public async Task The_identity_api_is_described_where_it_is_served()
    {
        var document = await GetDocumentAsync();
        var paths = document["paths"]!.AsObject();
        foreach (var (method, path) in new[] { ("post", "/auth/register"), ("post", "/auth/login"), ("post", "/auth/refresh"), ("get", "/auth/confirmEmail"),
                     ("post", "/auth/forgotPassword"), ("post", "/auth/resetPassword"), ("get", "/auth/manage/info") })
        {
            var operation = paths[Prefix + path]?[method];
            Assert.True(operation is not null, $"{method.ToUpperInvariant()} {Prefix}{path} is not in the OpenAPI document.");
            // Unknown tenant (manage/info also answers a bare 404 of its own when the user is not found).
            Assert.NotNull(path.StartsWith("/auth/manage/", StringComparison.Ordinal)
                ? operation["responses"]?["404"]
                : operation["responses"]?["404"]?["content"]?["application/problem+json"]);
            Assert.NotNull(operation["responses"]?["503"]?["content"]?["application/problem+json"]);   // suspended tenant
            Assert.False(paths.ContainsKey(path), $"The document lists {path}, where no tenant is known; the Identity API is served at {Prefix}{path}.");
        }
    }

    [Fact]
    public async Task The_operator_api_is_described_with_its_key_and_401()
    {
        var document = await GetDocumentAsync();
        var scheme = document["components"]?["securitySchemes"]?.AsObject()
            .SingleOrDefault(s => (string?)s.Value!["type"] == "apiKey" && (string?)s.Value["name"] == "X-Operator-Key");
        Assert.True(scheme?.Value is not null, "No apiKey security scheme for X-Operator-Key.");
        foreach (var (method, path) in new[] { ("get", "/ops/tenants"), ("get", "/ops/tenants/{id}"), ("post", "/ops/tenants/{id}/suspend"), ("post", "/ops/tenants/{id}/resume") })
        {
            var operation = document["paths"]?[path]?[method];
            Assert.True(operation is not null, $"{method.ToUpperInvariant()} {path} is not in the OpenAPI document.");
            Assert.NotNull(operation["responses"]?["401"]?["content"]?["application/problem+json"]);
            var security = operation["security"]?.AsArray();
            Assert.True(security is not null && security.Any(r => r!.AsObject().ContainsKey(scheme!.Value.Key)),
                $"{method.ToUpperInvariant()} {path} does not require the operator key in the document.");
        }
    }

    private async Task<JsonNode> GetDocumentAsync()
    {
        using var api = host.Api();
        var response = await api.GetAsync("/openapi/v1.json");
        var document = await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.NotNull(document);
        Assert.StartsWith("3.", (string?)document["openapi"], StringComparison.Ordinal);
        return document;
    }
}
