using Registry.Gateway;
using Registry.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("gateway");
builder.AddGateway();

var app = builder.Build();
app.MapServiceDefaults();
app.UseGateway();
app.MapGateway();
return await app.RunRegistryAsync(args);
