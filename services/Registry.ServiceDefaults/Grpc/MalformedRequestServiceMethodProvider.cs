using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Binds generated gRPC services like grpc-dotnet's own binder does, but with request marshallers
/// that turn a message protobuf cannot parse (truncated, wrong wire types, a string field that is
/// not UTF-8) into INVALID_ARGUMENT. grpc-dotnet reads the request before any interceptor runs and
/// would answer such a request with an error that blames the server; the caller sent it.
/// </summary>
public static class MalformedRequestChecks
{
    /// <summary>
    /// Replaces grpc-dotnet's binder so that every service gets the checking marshallers. Idempotent; call it again
    /// after any later <c>AddGrpc()</c> (which adds grpc-dotnet's binder back, and every method would be bound twice).
    /// </summary>
    public static void AddMalformedRequestChecks(this IServiceCollection services)
    {
        var defaults = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType?.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal) == true).ToList();
        foreach (var descriptor in defaults)
        {
            services.Remove(descriptor);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(MalformedRequestServiceMethodProvider<>)));
    }
}

internal sealed class MalformedRequestServiceMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var (bindMethod, baseType) = FindBindMethod();
        if (bindMethod is null || baseType is null)
        {
            return; // not a generated service: another provider binds it
        }

        var binder = new Binder(context, baseType);
        bindMethod.Invoke(null, [binder, null]);
    }

    private static (MethodInfo? Bind, Type? BaseType) FindBindMethod()
    {
        // The generated base class (Foo.FooBase) is nested in a static class with
        // BindService(ServiceBinderBase, FooBase).
        for (var type = typeof(TService).BaseType; type is not null && type != typeof(object); type = type.BaseType)
        {
            var bind = type.DeclaringType?.GetMethod("BindService", BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type]);
            if (bind is not null)
            {
                return (bind, type);
            }
        }

        return (null, null);
    }

    private static Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        var inner = method.RequestMarshaller;
        var marshaller = new Marshaller<TRequest>(inner.ContextualSerializer, context =>
        {
            try
            {
                return inner.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw RpcErrors.InvalidArgument([new Google.Rpc.BadRequest.Types.FieldViolation
                {
                    Field = "",
                    Description = $"the request is not a valid {typeof(TRequest).Name} message: {ex.Message}",
                }]);
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type baseType) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (Find<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]) is var (invoker, metadata))
            {
                context.AddUnaryMethod(Checked(method), metadata, invoker);
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (Find<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]) is var (invoker, metadata))
            {
                context.AddServerStreamingMethod(Checked(method), metadata, invoker);
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (Find<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]) is var (invoker, metadata))
            {
                context.AddClientStreamingMethod(Checked(method), metadata, invoker);
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (Find<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]) is var (invoker, metadata))
            {
                context.AddDuplexStreamingMethod(Checked(method), metadata, invoker);
            }
        }

        /// <summary>
        /// The service's implementation of a generated method, as an open delegate. A method the
        /// service does not override resolves to the generated base, which answers UNIMPLEMENTED.
        /// </summary>
        private (TDelegate Invoker, List<object> Metadata)? Find<TDelegate>(string name, Type[] parameters) where TDelegate : Delegate
        {
            var implementation = typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters);
            if (implementation is null || implementation.GetBaseDefinition().DeclaringType != baseType)
            {
                return null;
            }

            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(implementation.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), implementation), metadata);
        }
    }
}
