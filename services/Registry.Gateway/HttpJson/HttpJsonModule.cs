using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.OpenApi.Models;
using Grpc.AspNetCore.Server;
using Registry.Gateway.Limits;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Gateway.HttpJson;

/// <summary>
/// HTTP/JSON at the gateway, for agency systems that do not speak gRPC: every RPC reachable through the gateway
/// has a <c>google.api.http</c> route in its .proto (e.g. <c>POST /v1/cases:register</c>,
/// <c>GET /v1/cases/{case_id}/file</c>), transcoded by <c>Microsoft.AspNetCore.Grpc.JsonTranscoding</c> with the
/// protobuf JSON mapping (lowerCamelCase names, RFC 3339 timestamps, enums by name). The same authentication,
/// access table, rate limits and bounds as gRPC apply, since a transcoded call runs the gateway's gRPC pipeline;
/// the forwarded services' calls go on over gRPC (<see cref="HttpJsonForwarder"/>). Errors are
/// <c>google.rpc.Status</c> JSON: <c>{"code", "message", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", ...}]}</c>
/// with the HTTP status of the gRPC code (google/rpc/code.proto). The OpenAPI document is served at
/// <see cref="OpenApiPath"/>; the browsable page (<see cref="BrowsablePagePath"/>) in the Development environment,
/// or with <c>HttpJson:BrowsablePage=true</c>.
/// </summary>
public static class HttpJsonModule
{
    /// <summary>Where the OpenAPI (3.0) document of every HTTP/JSON route is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>Where Swagger UI shows that document.</summary>
    public const string BrowsablePagePath = "/openapi";

    /// <summary>The service types whose HTTP/JSON routes the gateway serves, and its OpenAPI document lists.</summary>
    public static readonly IReadOnlySet<Type> GatewayServices = new HashSet<Type>
    {
        typeof(IntakeHttpJson), typeof(CustodyHttpJson), typeof(MedicalHttpJson), typeof(Grpc.CaseFileGrpcService), typeof(Grpc.AuditGrpcService),
    };

    public static IHostApplicationBuilder AddHttpJson(this IHostApplicationBuilder builder, BackendOptions backends)
    {
        builder.Services.AddGrpc()
            .AddJsonTranscoding(o =>
            {
                // The Any messages in an error's details, written as JSON objects with their "@type".
                o.TypeRegistry = TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);
                // The proto3 JSON mapping writes 64-bit integers as strings (JavaScript numbers lose them past 2^53), as
                // Google.Protobuf's formatter (and so registryctl --output json) does.
                o.JsonSettings.WriteInt64sAsStrings = true;
            })
            .AddServiceOptions<IntakeHttpJson>(Forwarded)
            .AddServiceOptions<CustodyHttpJson>(Forwarded)
            .AddServiceOptions<MedicalHttpJson>(Forwarded);

        builder.Services.AddRegistryGrpcClient<BackendInvoker>(backends.Intake, BackendInvoker.Name("intake")).ConfigureGrpcClientCreator(i => new BackendInvoker(i));
        builder.Services.AddRegistryGrpcClient<BackendInvoker>(backends.Custody, BackendInvoker.Name("custody")).ConfigureGrpcClientCreator(i => new BackendInvoker(i));
        builder.Services.AddRegistryGrpcClient<BackendInvoker>(backends.Medical, BackendInvoker.Name("medical")).ConfigureGrpcClientCreator(i => new BackendInvoker(i));

        builder.Services.AddSingleton<HttpJsonRequestCheck>();
        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Registry",
                Version = "v1",
                Description = "The registry of captured persons (GC III) over HTTP/JSON: every gRPC method reachable through the gateway, "
                    + "transcoded by its google.api.http route. Every call but health needs an OAuth 2.0 bearer token (client-credentials grant).",
            });
            o.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from the registry's authorization server (client-credentials grant, RFC 6749 section 4.4).",
            });
            o.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
            // The proto3 JSON mapping writes 64-bit integers as strings (JsonSettings above); the document says so.
            o.SchemaFilter<Int64AsString>();
            o.ParameterFilter<Int64AsString>();
            // One operationId a method, as its gRPC name says it (IntakeService_RegisterCapture), for client generators.
            o.CustomOperationIds(api => api.ActionDescriptor.EndpointMetadata.OfType<GrpcMethodMetadata>()
                .Select(m => $"{m.Method.ServiceName.Split('.')[^1]}_{m.Method.Name}").FirstOrDefault());
            // The gateway's HTTP/JSON only (in the embedded host the services' modules share the process).
            o.DocInclusionPredicate((_, api) => api.ActionDescriptor.EndpointMetadata.OfType<GrpcMethodMetadata>()
                .Any(m => GatewayServices.Contains(m.ServiceType)));
            // The .proto comments, compiled into the protos project's XML documentation.
            var comments = Path.Combine(AppContext.BaseDirectory, "Registry.Protos.xml");
            if (File.Exists(comments))
            {
                o.IncludeXmlComments(comments);
                o.IncludeGrpcXmlComments(comments, includeControllerXmlComments: true);
            }
        });

        // AddGrpc() (here and inside AddGrpcSwagger) put grpc-dotnet's own binder back beside the registry's checking one:
        // every method would be bound twice.
        builder.Services.AddMalformedRequestChecks();
        return builder;
    }

    private static void Forwarded(GrpcServiceOptions options) => options.Interceptors.Add<HttpJsonForwarder>();

    /// <summary>
    /// The HTTP/JSON middleware (before the endpoints): requests checked against their messages (<see cref="HttpJsonRequestCheck"/>),
    /// a route that does not exist or a method a route does not take answered as <c>google.rpc.Status</c> JSON (404 NOT_FOUND,
    /// 405 UNIMPLEMENTED with its <c>Allow</c> header) instead of an empty body, and the Swagger UI page in development or when
    /// configured (<c>HttpJson:BrowsablePage</c>).
    /// </summary>
    public static WebApplication UseHttpJson(this WebApplication app)
    {
        var requests = app.Services.GetRequiredService<HttpJsonRequestCheck>();
        app.Use((context, next) => requests.InvokeAsync(context, () => next(context)));
        app.UseStatusCodePages(NoRouteAsync);
        if (app.Configuration.GetValue("HttpJson:BrowsablePage", app.Environment.IsDevelopment()))
        {
            app.UseSwaggerUI(o =>
            {
                o.RoutePrefix = BrowsablePagePath.TrimStart('/');
                o.SwaggerEndpoint(OpenApiPath, "Registry v1");
            });
        }

        return app;
    }

    private static Task NoRouteAsync(StatusCodeContext status)
    {
        var http = status.HttpContext;
        var response = http.Response;
        if (AccessRefusals.IsGrpc(http.Request) || response.StatusCode is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed))
        {
            return Task.CompletedTask;
        }

        var target = $"{http.Request.Method} {http.Request.Path}";
        var answer = response.StatusCode == StatusCodes.Status404NotFound
            ? new Google.Rpc.Status { Code = (int)Google.Rpc.Code.NotFound, Message = $"No route answers {target}; the routes are listed in {OpenApiPath}." }
            : new Google.Rpc.Status { Code = (int)Google.Rpc.Code.Unimplemented, Message = $"{http.Request.Path} does not take {http.Request.Method}; it takes {response.Headers.Allow}." };
        return AccessRefusals.WriteAsync(http, answer, response.StatusCode);
    }

    public static IEndpointRouteBuilder MapHttpJson(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<IntakeHttpJson>().RequireRateLimiting(CallerRateLimits.Policy).Add(JsonOnly);
        app.MapGrpcService<CustodyHttpJson>().RequireRateLimiting(CallerRateLimits.Policy).Add(JsonOnly);
        app.MapGrpcService<MedicalHttpJson>().RequireRateLimiting(CallerRateLimits.Policy).Add(JsonOnly);
        app.MapSwagger(OpenApiPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        return app;
    }

    /// <summary>
    /// Only the transcoded endpoints of a forwarding type match (its gRPC paths belong to the proxy), and the owning
    /// service checks their scope (<see cref="ForwardedToOwningService"/>).
    /// </summary>
    private static void JsonOnly(EndpointBuilder endpoint)
    {
        if (IsHttpJson(endpoint))
        {
            endpoint.Metadata.Add(ForwardedToOwningService.Instance);
        }
        else
        {
            endpoint.Metadata.Add(new SuppressMatchingMetadata());
        }
    }

    private static bool IsHttpJson(EndpointBuilder endpoint) => endpoint.Metadata.OfType<GrpcJsonTranscodingMetadata>().Any();

    /// <summary>
    /// Keeps a service's own transcoded endpoints from matching where HTTP/JSON is the gateway's (the embedded host,
    /// where every module shares one process and so one JSON transcoding registration): JSON enters at the gateway only.
    /// </summary>
    public static TBuilder WithoutHttpJson<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Finally: a group's own conventions run before grpc-dotnet has put the transcoding metadata on its endpoints.
        builder.Finally(endpoint =>
        {
            if (IsHttpJson(endpoint))
            {
                endpoint.Metadata.Add(new SuppressMatchingMetadata());
            }
        });
        return builder;
    }

    /// <summary>64-bit integers as the JSON mapping writes them: <c>type: string, format: int64</c> (OpenAPI 3.0 data types).</summary>
    private sealed class Int64AsString : Swashbuckle.AspNetCore.SwaggerGen.ISchemaFilter, Swashbuckle.AspNetCore.SwaggerGen.IParameterFilter
    {
        public void Apply(OpenApiSchema schema, Swashbuckle.AspNetCore.SwaggerGen.SchemaFilterContext context)
        {
            Fix(schema);
            foreach (var property in schema.Properties.Values)
            {
                Fix(property);
            }
        }

        public void Apply(OpenApiParameter parameter, Swashbuckle.AspNetCore.SwaggerGen.ParameterFilterContext context)
        {
            if (parameter.Schema is { } schema)
            {
                Fix(schema);
            }
        }

        private static void Fix(OpenApiSchema schema)
        {
            if (schema.Type == "integer" && schema.Format is "int64" or "uint64")
            {
                schema.Type = "string";
            }

            if (schema.Items is { } items)
            {
                Fix(items);
            }
        }
    }
}
