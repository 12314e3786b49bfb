using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Registry.Custody;
using Registry.Gateway;
using Registry.Identity;
using Registry.Identity.Server;
using Registry.Intake;
using Registry.Medical;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Telemetry;
using Registry.Testing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Registry.Deploy.Tests;

/// <summary>
/// No Kubernetes cluster runs where the tests run, so deploy/k8s is rendered (<c>kubectl kustomize</c>, one render per
/// overlay) and checked against the code, as <see cref="ComposeFileTests"/> checks docker-compose.yml: every container's
/// environment is exactly the keys its service reads, the connection strings built from the operators' Secrets parse
/// with the services' own readers, probes and ports are the ones the services serve, each Service selects the pods it
/// names, and the pieces of several replicas are there (headless Services, PodDisruptionBudgets, autoscalers, a
/// migration Job per store). tools/test.sh also checks the same renders against the Kubernetes schemas
/// (tools/k8s-validate.mjs).
/// </summary>
public sealed class K8sManifestTests
{
    public static readonly TheoryData<string> Overlays = new(["production", "small"]);

    private static readonly string[] RegistryProcesses = ["identity", "gateway", "intake", "custody", "medical"];
    private static readonly string[] Stores = ["identity", "intake", "custody", "medical"];
    private static readonly Dictionary<string, Manifest> Renders = new();

    /// <summary>What every registry process reads (ComposeFileTests' EveryServiceKeys and the list of disabled clients).</summary>
    private static readonly string[] EveryProcessKeys =
    [
        $"{ServicePorts.Section}:{nameof(ServicePorts.Grpc)}", $"{ServicePorts.Section}:{nameof(ServicePorts.Http)}", "OTEL_EXPORTER_OTLP_ENDPOINT",
        $"{RegistryAuthOptions.Section}:{nameof(RegistryAuthOptions.Authority)}", $"{RegistryAuthOptions.Section}:{nameof(RegistryAuthOptions.RequireHttpsMetadata)}",
        $"{RegistryAuthOptions.Section}:{nameof(RegistryAuthOptions.DisabledClients)}",
    ];

    private const string ForwardedHeadersKey = "ASPNETCORE_FORWARDEDHEADERS_ENABLED";

    private static readonly string[] ReplicatedStoreKeys = [RegistryDatabase.MigrateAtStartKey, RegistryDatabase.SchemaWaitKey];

    /// <summary>The keys each process reads, taken from the code that reads them; several replicas add the last ones.</summary>
    private static readonly Dictionary<string, string[]> KeysByProcess = new()
    {
        // Behind the Ingress the authorization server reads the scheme and host from X-Forwarded-* (ASP.NET Core's own switch).
        ["identity"] = [$"ConnectionStrings:{IdentityModule.ConnectionName}", $"{IdentitySettings.Section}:Issuer", $"{IdentitySettings.Section}:RequireHttps", .. ReplicatedStoreKeys,
            ForwardedHeadersKey],
        ["intake"] = [$"ConnectionStrings:{IntakeModule.ConnectionName}", $"ConnectionStrings:{RegistryBus.ConnectionName}", RegistryBus.QueueTypeKey, .. ReplicatedStoreKeys],
        ["custody"] = [$"ConnectionStrings:{CustodyModule.ConnectionName}", $"ConnectionStrings:{RegistryBus.ConnectionName}", RegistryBus.QueueTypeKey, .. ReplicatedStoreKeys,
            CustodyModule.MedicalAddressKey, ServiceAddresses.ResolveDnsKey],
        ["medical"] = [$"ConnectionStrings:{MedicalModule.ConnectionName}", $"ConnectionStrings:{RegistryBus.ConnectionName}", RegistryBus.QueueTypeKey, .. ReplicatedStoreKeys],
        ["gateway"] = typeof(BackendOptions).GetProperties().Where(p => p.CanWrite).Select(p => $"{BackendOptions.Section}:{p.Name}").ToArray(),
    };

    /// <summary>The keys of the Secrets the operators create (CloudNativePG: &lt;cluster&gt;-app; RabbitMQ Cluster Operator: &lt;cluster&gt;-default-user).</summary>
    private static readonly string[] CnpgAppSecretKeys = ["username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"];
    private static readonly string[] RabbitDefaultUserKeys = ["username", "password", "host", "port", "provider", "type", "default_user.conf"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_registry_process_has_a_deployment_a_service_a_disruption_budget_and_an_autoscaler(string overlay)
    {
        var manifest = Render(overlay);
        foreach (var process in RegistryProcesses)
        {
            var deployment = manifest.Single("Deployment", process);
            var podLabels = deployment.Map("spec", "template", "metadata", "labels").Strings();
            Assert.True(Matches(deployment.Map("spec", "selector", "matchLabels").Strings(), podLabels), $"{process}: the Deployment's selector matches its pods");

            var service = manifest.Single("Service", process);
            Assert.True(Matches(service.Map("spec", "selector").Strings(), podLabels), $"{process}: the Service selects the Deployment's pods");
            Assert.DoesNotContain(manifest.Of("Deployment"), d => d != deployment
                && Matches(service.Map("spec", "selector").Strings(), d.Map("spec", "template", "metadata", "labels").Strings()));

            var budget = manifest.Single("PodDisruptionBudget", process);
            Assert.True(Matches(budget.Map("spec", "selector", "matchLabels").Strings(), podLabels), $"{process}: the PodDisruptionBudget covers its pods");

            var autoscaler = manifest.Single("HorizontalPodAutoscaler", process);
            Assert.Equal("autoscaling/v2", autoscaler.String("apiVersion"));
            Assert.Equal(("Deployment", process), (autoscaler.String("spec", "scaleTargetRef", "kind"), autoscaler.String("spec", "scaleTargetRef", "name")));
            Assert.True(autoscaler.Int("spec", "maxReplicas") > autoscaler.Int("spec", "minReplicas"));
            // The autoscaler owns the count: a replicas field would reset it at every apply of a release.
            Assert.False(deployment.Map("spec").Has("replicas"), $"{process}: no spec.replicas beside its autoscaler");
            if (overlay == "production")
            {
                Assert.True(autoscaler.Int("spec", "minReplicas") >= 2, $"{process} runs in two replicas at least");
                Assert.Equal(0, deployment.Int("spec", "strategy", "rollingUpdate", "maxUnavailable"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_environment_is_the_keys_its_service_reads_and_none_is_missing(string overlay)
    {
        var manifest = Render(overlay);
        foreach (var process in RegistryProcesses)
        {
            var container = Container(manifest.Single("Deployment", process));
            var environment = Environment(manifest, container);
            var keys = environment.Keys.Where(k => !IsPart(container, k)).Select(k => k.Replace("__", ":")).ToHashSet();

            var expected = KeysByProcess[process].Concat(EveryProcessKeys).ToHashSet();
            var clientsFromSecret = process == "identity";
            Assert.True(expected.SetEquals(keys),
                $"{process}: missing {string.Join(", ", expected.Except(keys))}; not read {string.Join(", ", keys.Except(expected))}");
            // The authorization server's clients may also come from an optional Secret (Identity__Clients__N__…).
            Assert.Equal(clientsFromSecret, container.List("envFrom").Any(e => e.Has("secretRef")));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Connection_strings_built_from_the_operators_secrets_parse_and_name_the_resources_the_render_defines(string overlay)
    {
        var manifest = Render(overlay);
        foreach (var process in Stores)
        {
            foreach (var pod in new[] { PodSpec(manifest.Single("Deployment", process)), PodSpec(manifest.Single("Job", $"{process}-migrate")) })
            {
                var container = pod.List("containers")[0];
                var configuration = Configuration(manifest, container);

                var database = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(process == "identity" ? IdentityModule.ConnectionName
                    : process == "intake" ? IntakeModule.ConnectionName : process == "custody" ? CustodyModule.ConnectionName : MedicalModule.ConnectionName));
                // Each service its own CloudNativePG cluster, on its primary (<cluster>-rw), TLS verified against the cluster's CA.
                var cluster = manifest.Single("Cluster", $"{process}-db");
                Assert.Equal("postgresql.cnpg.io/v1", cluster.String("apiVersion"));
                Assert.Equal((process, process), (cluster.String("spec", "bootstrap", "initdb", "database"), cluster.String("spec", "bootstrap", "initdb", "owner")));
                Assert.Equal($"secret.{process}-db-app.host", database.Host);
                Assert.Equal(SslMode.VerifyFull, database.SslMode);
                var caVolume = pod.List("volumes").Single(v => v.Has("secret") && v.String("secret", "secretName") == $"{process}-db-ca");
                var caMount = container.List("volumeMounts").Single(m => m.String("name") == caVolume.String("name"));
                var caItem = Assert.Single(caVolume.List("secret", "items"));
                Assert.Equal("ca.crt", caItem.String("key"));
                Assert.Equal(Path.Combine(caMount.String("mountPath"), caItem.String("path")), database.RootCertificate);

                // The connections every replica and the Job may open stay within the cluster's max_connections.
                var replicas = manifest.Single("HorizontalPodAutoscaler", process).Int("spec", "maxReplicas") + 1;
                var maxConnections = int.Parse(cluster.String("spec", "postgresql", "parameters", "max_connections"), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(database.MaxPoolSize * replicas <= maxConnections - 10,
                    $"{process}: {replicas} processes × Maximum Pool Size {database.MaxPoolSize} exceed {process}-db's max_connections {maxConnections} (10 kept for the operator and superuser)");

                foreach (var reference in SecretReferences(container))
                {
                    if (reference.Secret.EndsWith("-db-app", StringComparison.Ordinal))
                    {
                        Assert.Equal($"{process}-db-app", reference.Secret);
                        Assert.Contains(reference.Key, CnpgAppSecretKeys);
                    }
                    else
                    {
                        var broker = manifest.Single("RabbitmqCluster", reference.Secret[..^"-default-user".Length]);
                        Assert.Equal("rabbitmq.com/v1beta1", broker.String("apiVersion"));
                        Assert.Contains(reference.Key, RabbitDefaultUserKeys);
                    }
                }

                if (process != "identity")
                {
                    var broker = RabbitMqAddress.Parse(configuration.GetConnectionString(RegistryBus.ConnectionName)!);
                    Assert.Equal(("secret.rabbitmq-default-user.host", "secret.rabbitmq-default-user.username", "secret.rabbitmq-default-user.password", (ushort)5672),
                        (broker.Host, broker.Username, broker.Password, broker.Port));
                }
            }
        }

        var rabbit = manifest.Single("RabbitmqCluster", "rabbitmq");
        Assert.Equal(overlay == "production" ? 3 : 1, rabbit.Int("spec", "replicas"));
        Assert.All(manifest.Of("Cluster"), c => Assert.Equal(overlay == "production" ? 3 : 1, c.Int("spec", "instances")));
        Assert.All(manifest.Of("Cluster"), c => Assert.Matches("^[0-9]+[GM]i$", c.String("spec", "storage", "size")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Migrations_run_once_per_release_in_a_job_and_the_replicas_wait_for_them_on_quorum_queues(string overlay)
    {
        var manifest = Render(overlay);
        foreach (var process in Stores)
        {
            var deployment = manifest.Single("Deployment", process);
            var service = Container(deployment);
            var configuration = Configuration(manifest, service);
            Assert.False(configuration.GetValue(RegistryDatabase.MigrateAtStartKey, true), $"{process}'s replicas do not migrate at start");
            if (process != "identity")
            {
                Assert.Equal("quorum", configuration[RegistryBus.QueueTypeKey]);
            }

            var job = manifest.Single("Job", $"{process}-migrate");
            var migrate = Container(job);
            Assert.Equal([RegistryCommands.Migrate], migrate.List("args").Select(a => a.Scalar).ToArray());
            Assert.False(migrate.Has("command"), "the image's entrypoint passes the args to the service");
            Assert.Equal(service.String("image"), migrate.String("image"));
            Assert.Equal("OnFailure", job.String("spec", "template", "spec", "restartPolicy"));
            var store = $"ConnectionStrings:{(process == "identity" ? IdentityModule.ConnectionName : char.ToUpperInvariant(process[0]) + process[1..])}";
            Assert.Equal(configuration[store], Configuration(manifest, migrate)[store]);
        }

        // The image's entrypoint hands its arguments to the service (sh -c '… "$@"' sh): without it the Job's args vanish.
        var dockerfile = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "compose", "Dockerfile"));
        Assert.Contains("ENTRYPOINT [\"sh\", \"-c\", \"exec dotnet \\\"$ASSEMBLY.dll\\\" \\\"$@\\\"\", \"sh\"]", dockerfile);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Ports_and_probes_are_the_ones_each_service_serves(string overlay)
    {
        var manifest = Render(overlay);
        foreach (var process in RegistryProcesses)
        {
            var deployment = manifest.Single("Deployment", process);
            var container = Container(deployment);
            var ports = Configuration(manifest, container).GetSection(ServicePorts.Section).Get<ServicePorts>()!;
            var containerPorts = container.List("ports").ToDictionary(p => p.String("name"), p => p.Int("containerPort"));
            Assert.Equal(new Dictionary<string, int> { ["grpc"] = ports.Grpc, ["http"] = ports.Http }, containerPorts);

            // Liveness runs no check (a slow database must not get a live process restarted); readiness asks the store and broker.
            Assert.Equal(("/readyz", "http"), (container.String("readinessProbe", "httpGet", "path"), container.String("readinessProbe", "httpGet", "port")));
            Assert.Equal(("/healthz", "http"), (container.String("livenessProbe", "httpGet", "path"), container.String("livenessProbe", "httpGet", "port")));
            Assert.Equal(("/healthz", "http"), (container.String("startupProbe", "httpGet", "path"), container.String("startupProbe", "httpGet", "port")));
            if (Stores.Contains(process))
            {
                // The startup probe outlasts the wait for the migration Job (Database:SchemaWait).
                var wait = TimeSpan.Parse(Configuration(manifest, container)[RegistryDatabase.SchemaWaitKey]!);
                Assert.True(container.Int("startupProbe", "periodSeconds") * container.Int("startupProbe", "failureThreshold") >= wait.TotalSeconds);
            }

            Assert.All(new[] { "requests", "limits" }, r => Assert.True(container.Map("resources", r).Has("cpu") && container.Map("resources", r).Has("memory"),
                $"{process}: resources.{r} sets cpu and memory"));
            Assert.True(deployment.Map("spec", "template", "spec", "securityContext").Bool("runAsNonRoot"));
            Assert.False(container.Map("securityContext").Bool("allowPrivilegeEscalation"));
            Assert.True(container.Map("securityContext").Bool("readOnlyRootFilesystem"));

            var service = manifest.Single("Service", process);
            var grpc = service.List("spec", "ports").Single(p => p.String("name") == "grpc");
            Assert.Equal(("kubernetes.io/h2c", ports.Grpc, "grpc"), (grpc.String("appProtocol"), grpc.Int("port"), grpc.String("targetPort")));
            var http = service.List("spec", "ports").Single(p => p.String("name") == "http");
            Assert.Equal((ports.Http, "http"), (http.Int("port"), http.String("targetPort")));

            var otlp = new Uri(Configuration(manifest, container)["OTEL_EXPORTER_OTLP_ENDPOINT"]!);
            var collector = manifest.Single("Service", otlp.Host);
            Assert.Contains(collector.List("spec", "ports"), p => p.Int("port") == otlp.Port && p.String("name") == "otlp-grpc");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_gateway_and_custody_reach_every_ready_replica_through_headless_services(string overlay)
    {
        var manifest = Render(overlay);
        var gateway = BackendOptions.From(Configuration(manifest, Container(manifest.Single("Deployment", "gateway"))));
        Assert.True(gateway.ResolveDns);
        var custody = Configuration(manifest, Container(manifest.Single("Deployment", "custody")));
        var custodyToMedical = ServiceAddresses.Read(custody, CustodyModule.MedicalAddressKey, "medical");
        Assert.True(custodyToMedical.ResolveDns);

        foreach (var (service, addresses) in new[] { ("intake", gateway.Intake), ("custody", gateway.Custody), ("medical", gateway.Medical), ("medical", custodyToMedical) })
        {
            var address = Assert.Single(addresses.Replicas);
            var headless = manifest.Single("Service", address.Host);
            Assert.Equal("None", headless.String("spec", "clusterIP"));
            var pods = manifest.Single("Deployment", service);
            Assert.True(Matches(headless.Map("spec", "selector").Strings(), pods.Map("spec", "template", "metadata", "labels").Strings()),
                $"{address.Host} names the pods of {service}");
            var ports = Configuration(manifest, Container(pods)).GetSection(ServicePorts.Section).Get<ServicePorts>()!;
            Assert.Equal(ports.Grpc, address.Port);
            Assert.Contains(headless.List("spec", "ports"), p => p.Int("port") == address.Port && p.String("appProtocol") == "kubernetes.io/h2c");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_public_names_are_served_over_TLS_and_the_services_trust_the_authority_agencies_get_tokens_from(string overlay)
    {
        var manifest = Render(overlay);
        var identity = Configuration(manifest, Container(manifest.Single("Deployment", "identity")));
        var issuer = IdentitySettings.From(identity).Issuer;
        Assert.Equal("https", issuer.Scheme);

        foreach (var process in RegistryProcesses)
        {
            var auth = RegistryAuthOptions.From(Configuration(manifest, Container(manifest.Single("Deployment", process))));
            Assert.Equal(issuer, new Uri(auth.Authority));
            Assert.True(auth.HttpsMetadataRequired);
            // The disabled clients are read inside the cluster, from the authorization server's Service and HTTP port.
            var disabled = new Uri(auth.DisabledClients!);
            Assert.Equal(DisabledClientsEndpoint.Path, disabled.AbsolutePath);
            var identityService = manifest.Single("Service", disabled.Host);
            Assert.Contains(identityService.List("spec", "ports"), p => p.Int("port") == disabled.Port && p.String("name") == "http");
            Assert.Equal("identity", identityService.String("spec", "selector", "app.kubernetes.io/name"));
        }

        // TLS ends at the Ingress: the authorization server takes plain HTTP and builds its discovery document's
        // endpoints from the forwarded scheme and host, so agency systems and the services are sent to https:// ones.
        Assert.False(IdentitySettings.From(identity).RequireHttps);
        Assert.Equal("true", identity[ForwardedHeadersKey]);

        var ingresses = manifest.Of("Ingress").ToList();
        Assert.All(ingresses, i => Assert.NotEmpty(i.List("spec", "tls")));
        Assert.All(ingresses, i => Assert.Equal(
            i.List("spec", "rules").Select(r => r.String("host")).Order(),
            i.List("spec", "tls").SelectMany(t => t.List("hosts")).Select(h => h.Scalar).Order()));

        // gRPC to the gateway's gRPC port as HTTP/2; HTTP/JSON to its HTTP port; the token endpoint at the issuer's host.
        var grpc = ingresses.Single(i => i.Map("metadata", "annotations").Strings().GetValueOrDefault("nginx.ingress.kubernetes.io/backend-protocol") == "GRPC");
        var grpcBackend = Assert.Single(grpc.List("spec", "rules").SelectMany(r => r.List("http", "paths")));
        Assert.Equal(("gateway", "grpc"), (grpcBackend.String("backend", "service", "name"), grpcBackend.String("backend", "service", "port", "name")));

        var authority = ingresses.Single(i => i.List("spec", "rules").Any(r => r.String("host") == issuer.Host));
        var paths = authority.List("spec", "rules").SelectMany(r => r.List("http", "paths")).ToList();
        Assert.Contains(paths, p => p.String("path") == IdentityModule.TokenPath && p.String("backend", "service", "name") == "identity");
        Assert.Contains(paths, p => p.String("path") == "/.well-known/" && p.String("backend", "service", "name") == "identity");
        // Only those: the authorization server's /metrics and health stay inside the cluster.
        Assert.Equal(2, paths.Count);

        // Production: one Certificate (cert-manager) per TLS Secret, naming every host the Ingresses serve with it.
        if (overlay == "production")
        {
            foreach (var secret in ingresses.SelectMany(i => i.List("spec", "tls")).GroupBy(t => t.String("secretName")))
            {
                var certificate = manifest.Of("Certificate").Single(c => c.String("spec", "secretName") == secret.Key);
                Assert.Equal("cert-manager.io/v1", certificate.String("apiVersion"));
                Assert.Subset(certificate.List("spec", "dnsNames").Select(n => n.Scalar).ToHashSet(),
                    secret.SelectMany(t => t.List("hosts")).Select(h => h.Scalar).ToHashSet());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void A_stopping_replica_leaves_the_callers_balancing_before_it_stops_taking_calls(string overlay)
    {
        var manifest = Render(overlay);
        var gateway = BackendOptions.From(Configuration(manifest, Container(manifest.Single("Deployment", "gateway"))));
        foreach (var process in new[] { "intake", "custody", "medical" })
        {
            var deployment = manifest.Single("Deployment", process);
            var sleep = TimeSpan.FromSeconds(Container(deployment).Int("lifecycle", "preStop", "sleep", "seconds"));
            // The gateway and custody read the headless Service's DNS every DnsRefreshInterval and probe each replica
            // every HealthCheckInterval (out after two failures): a replica keeps serving until both have noticed.
            Assert.True(sleep > RegistryGrpcClients.DnsRefreshInterval && sleep > 2 * gateway.HealthCheckInterval,
                $"{process}: preStop sleep {sleep} does not outlast the DNS refresh ({RegistryGrpcClients.DnsRefreshInterval}) and two probes");
            Assert.True(deployment.Int("spec", "template", "spec", "terminationGracePeriodSeconds") >= sleep.TotalSeconds + 20,
                $"{process}: the grace period leaves calls open at the end of the sleep time to finish");
        }
    }

    [Fact]
    public void The_manifests_reference_no_configuration_or_secret_the_render_does_not_define_or_document()
    {
        foreach (var overlay in new[] { "production", "small" })
        {
            var manifest = Render(overlay);
            var configMaps = manifest.Of("ConfigMap").Select(c => c.String("metadata", "name")).ToHashSet();
            var operatorSecrets = manifest.Of("Cluster").SelectMany(c => new[] { $"{c.String("metadata", "name")}-app", $"{c.String("metadata", "name")}-ca" })
                .Concat(manifest.Of("RabbitmqCluster").Select(r => $"{r.String("metadata", "name")}-default-user")).ToHashSet();
            // Secrets the operator of the cluster provides (README: the TLS certificate; the optional configured clients),
            // and those cert-manager writes for a Certificate of the render.
            var documented = new HashSet<string> { "registry-tls", "identity-clients" };
            operatorSecrets.UnionWith(manifest.Of("Certificate").Select(c => c.String("spec", "secretName")));

            foreach (var pod in manifest.Of("Deployment").Concat(manifest.Of("Job")).Select(PodSpec))
            {
                foreach (var container in pod.List("containers"))
                {
                    foreach (var from in container.List("envFrom"))
                    {
                        if (from.Has("configMapRef"))
                        {
                            Assert.Contains(from.String("configMapRef", "name"), configMaps);
                        }
                        else
                        {
                            Assert.Contains(from.String("secretRef", "name"), documented);
                        }
                    }

                    Assert.All(SecretReferences(container), r => Assert.Contains(r.Secret, operatorSecrets));
                }

                foreach (var volume in pod.List("volumes"))
                {
                    if (volume.Has("secret"))
                    {
                        Assert.Contains(volume.String("secret", "secretName"), operatorSecrets);
                    }
                    else if (volume.Has("configMap"))
                    {
                        Assert.Contains(volume.String("configMap", "name"), configMaps);
                    }
                }
            }

            Assert.All(manifest.Of("Ingress").SelectMany(i => i.List("spec", "tls")), t => Assert.Contains(t.String("secretName"), documented));
            var readme = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "k8s", "README.md"));
            Assert.All(documented, s => Assert.Contains($"`{s}`", readme));
        }
    }

    private static bool Matches(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.GetValueOrDefault(s.Key) == s.Value);

    private static Node PodSpec(Node workload) => workload.Map("spec", "template", "spec");

    private static Node Container(Node workload) => Assert.Single(PodSpec(workload).List("containers"));

    /// <summary>A variable only other values use, as $(NAME): the parts of a connection string, read by no service.</summary>
    private static bool IsPart(Node container, string key) =>
        Regex.IsMatch(key, "^[A-Z][A-Z0-9_]*$") && !key.StartsWith("OTEL_", StringComparison.Ordinal)
        && container.List("env").Any(e => e.Has("value") && e.String("value").Contains($"$({key})", StringComparison.Ordinal));

    private static IEnumerable<(string Secret, string Key)> SecretReferences(Node container) =>
        container.List("env").Where(e => e.Has("valueFrom") && e.Map("valueFrom").Has("secretKeyRef"))
            .Select(e => (e.String("valueFrom", "secretKeyRef", "name"), e.String("valueFrom", "secretKeyRef", "key")));

    /// <summary>
    /// The container's environment as Kubernetes builds it: the ConfigMaps of envFrom, then env in order, a Secret's value
    /// standing as <c>secret.&lt;name&gt;.&lt;key&gt;</c> (a valid host name and user name) and $(NAME) expanded from the variables defined before it.
    /// </summary>
    private static Dictionary<string, string> Environment(Manifest manifest, Node container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var from in container.List("envFrom").Where(f => f.Has("configMapRef")))
        {
            foreach (var (key, value) in manifest.Single("ConfigMap", from.String("configMapRef", "name")).Map("data").Strings())
            {
                environment[key] = value;
            }
        }

        foreach (var variable in container.List("env"))
        {
            var name = variable.String("name");
            if (variable.Has("valueFrom"))
            {
                environment[name] = $"secret.{variable.String("valueFrom", "secretKeyRef", "name")}.{variable.String("valueFrom", "secretKeyRef", "key")}";
                continue;
            }

            var value = Regex.Replace(variable.String("value"), @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m =>
                environment.TryGetValue(m.Groups[1].Value, out var defined) ? defined
                    : throw new Xunit.Sdk.XunitException($"{name} uses $({m.Groups[1].Value}), which no variable before it defines"));
            environment[name] = value;
        }

        return environment;
    }

    private static IConfiguration Configuration(Manifest manifest, Node container) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            Environment(manifest, container).ToDictionary(e => e.Key.Replace("__", ":"), e => (string?)e.Value)).Build();

    private static Manifest Render(string overlay)
    {
        lock (Renders)
        {
            if (!Renders.TryGetValue(overlay, out var manifest))
            {
                manifest = Renders[overlay] = Manifest.Parse(Kustomize(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "k8s", "overlays", overlay)));
            }

            return manifest;
        }
    }

    private static string Kustomize(string directory)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is not installed: tools/test.sh installs it (kubectl ≥ 1.27, whose kustomize renders deploy/k8s).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill();
                throw new TimeoutException($"kubectl kustomize {directory} took over a minute");
            }

            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed: {error.Result}");
            return output.Result;
        }
    }

    /// <summary>The documents of one render, by kind and name.</summary>
    private sealed class Manifest(List<Node> documents)
    {
        public IEnumerable<Node> Of(string kind) => documents.Where(d => d.String("kind") == kind);

        public Node Single(string kind, string name)
        {
            var matches = Of(kind).Where(d => d.String("metadata", "name") == name
                // kustomize gives a generated ConfigMap a content hash: registry-common-5h8f…
                || (kind == "ConfigMap" && Regex.IsMatch(d.String("metadata", "name"), $"^{Regex.Escape(name)}-[a-z0-9]{{10}}$"))).ToList();
            Assert.True(matches.Count == 1, $"the render has {matches.Count} {kind} named {name}");
            return matches[0];
        }

        public static Manifest Parse(string yaml)
        {
            var deserializer = new DeserializerBuilder().Build();
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            var documents = new List<Node>();
            while (parser.Accept<DocumentStart>(out _))
            {
                if (deserializer.Deserialize<object>(parser) is { } document)
                {
                    documents.Add(new Node(document));
                }
            }

            return new Manifest(documents);
        }
    }

    /// <summary>A node of a parsed YAML document, with paths that fail the test naming what is missing.</summary>
    private sealed class Node(object? content)
    {
        private readonly object? value = content;

        public string Scalar => value as string ?? throw new Xunit.Sdk.XunitException($"not a scalar: {value}");

        public bool Has(string key) => value is Dictionary<object, object> map && map.ContainsKey(key);

        public Node Map(params string[] path)
        {
            var node = this;
            foreach (var key in path)
            {
                node = node.value is Dictionary<object, object> map && map.TryGetValue(key, out var child)
                    ? new Node(child)
                    : throw new Xunit.Sdk.XunitException($"no '{string.Join(".", path)}' (at '{key}')");
            }

            return node;
        }

        public List<Node> List(params string[] path)
        {
            var parent = path.Length > 1 ? Map(path[..^1]) : this;
            return parent.value is Dictionary<object, object> map && map.TryGetValue(path[^1], out var list) && list is List<object> items
                ? items.Select(i => new Node(i)).ToList()
                : [];
        }

        public string String(params string[] path) => Map(path).Scalar;

        public int Int(params string[] path) => int.Parse(String(path), System.Globalization.CultureInfo.InvariantCulture);

        public bool Bool(params string[] path) => bool.Parse(String(path));

        public Dictionary<string, string> Strings() =>
            ((Dictionary<object, object>)value!).ToDictionary(e => (string)e.Key, e => e.Value as string ?? "");

        public override bool Equals(object? obj) => obj is Node other && ReferenceEquals(other.value, value);

        public override int GetHashCode() => value?.GetHashCode() ?? 0;
    }
}
