using Registry.Custody;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("custody");
builder.AddCustody();
builder.AddRegistryBus();

var app = builder.Build();
app.MapServiceDefaults();
app.MapCustody();
return await app.RunRegistryAsync(args);
