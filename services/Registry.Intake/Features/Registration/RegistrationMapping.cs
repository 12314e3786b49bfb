using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Features.Registration;

public static class RegistrationMapping
{
    public static RegisterCaptureResponse ToProto(this Registered r)
    {
        var response = new RegisterCaptureResponse { Case = r.Case.ToProto(), Replayed = r.Replayed };
        response.DuplicateCandidates.AddRange(r.DuplicateCandidates.Select(d => d.ToProto()));
        return response;
    }
}
