using Registry.Identity;
using Registry.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("identity");
builder.AddIdentityServer();

var app = builder.Build();
app.MapServiceDefaults();
app.MapIdentityServer();
return await app.RunRegistryAsync(args);
