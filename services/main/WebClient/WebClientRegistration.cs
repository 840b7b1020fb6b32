namespace DaprChat.Main.WebClient;

public static class WebClientRegistration
{
    public static WebApplicationBuilder AddWebClient(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HelpOptions>().BindConfiguration("Help")
            .Validate(o => o.HasDialableNumber(), "Help:EmergencyNumber must be digits (spaces and a leading + allowed), at most 20 characters")
            .Validate(o => o.HasHttpsHelplinesUrl(), "Help:HelplinesUrl must be an absolute https URL")
            .ValidateOnStart();
        return builder;
    }
}
