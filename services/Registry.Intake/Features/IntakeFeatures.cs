using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Intake.Features.Effects;
using Registry.Intake.Features.Identity;
using Registry.Intake.Features.Import;
using Registry.Intake.Features.Notifications;
using Registry.Intake.Features.Registration;
using Registry.Intake.Features.Search;
using Registry.Intake.Features.Sharing;
using Registry.Intake.Features.Status;

namespace Registry.Intake.Features;

public static class IntakeFeatures
{
    /// <summary>Every use case's handler (one per request, sharing the request's DbContext), and what they share.</summary>
    /// <exception cref="Registry.ServiceDefaults.Hosting.InvalidConfigurationException">A setting of <see cref="RegistrationBatching.Section"/> or <see cref="NameSearchSlots.Section"/> is out of range.</exception>
    public static IServiceCollection AddIntakeFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<NotificationSignal>();
        services.AddScoped<CaseStore>();
        services.AddScoped<Registry.ServiceDefaults.Security.ICaseOwnership, IntakeCaseOwnership>();
        services.AddScoped<DuplicateFinder>();

        services.AddScoped<RegisterCaptureHandler>();
        services.AddScoped<ImportCapturesHandler>();
        // Concurrent RegisterCapture calls committed together (issue 15): one transaction for what queued meanwhile (a part of at most 512 duplicate-lock keys each).
        services.AddSingleton(RegistrationBatching.From(configuration));
        services.AddSingleton<RegistrationBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistrationBatcher>());
        services.AddScoped<GetCaseHandler>();
        services.AddScoped<UpdateIdentityHandler>();
        services.AddScoped<ListIdentityAssertionsHandler>();
        services.AddScoped<ChangeStatusCategoryHandler>();
        services.AddScoped<ListStatusChangesHandler>();
        services.AddScoped<RecordPersonalEffectsHandler>();
        services.AddScoped<ListPersonalEffectsHandler>();
        services.AddScoped<RecordPersonalEffectFateHandler>();
        services.AddScoped<ListDuplicateCandidatesHandler>();
        services.AddScoped<MergeCasesHandler>();
        services.AddScoped<MarkNotDuplicateHandler>();
        services.AddScoped<ReopenDuplicateDecisionHandler>();
        services.AddScoped<ListDuplicateDecisionsHandler>();
        services.AddScoped<ListOverdueHandler>();
        services.AddScoped<IssueCaptureCardHandler>();
        services.AddScoped<CaptureCardEventHandler>();
        services.AddScoped<WeeklyReportEventHandler>();
        services.AddScoped<StreamNotificationsHandler>();
        services.AddScoped<AcknowledgeNotificationsHandler>();
        services.AddScoped<SearchCasesHandler>();
        // Name searches bounded per process, so look-ups by number or filter do not wait for the CPU behind them (issue 15).
        services.AddSingleton(NameSearchLimits.From(configuration));
        services.AddSingleton<NameSearchSlots>();
        services.AddSingleton<NameKeyRebuild>();
        services.AddHostedService(sp => sp.GetRequiredService<NameKeyRebuild>());
        services.AddScoped<ShareCaseHandler>();
        services.AddScoped<RevokeShareHandler>();
        services.AddScoped<ListSharesHandler>();
        return services;
    }
}
