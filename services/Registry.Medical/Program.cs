using Registry.Medical;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("medical");
builder.AddMedical();
builder.AddRegistryBus();

var app = builder.Build();
app.MapServiceDefaults();
app.MapMedical();
return await app.RunRegistryAsync(args);
