"""Surveys and their answers. The public survey pages (/s/<token>/, /s/embed/<token>/) are
anonymous by design but write-only; veracity/feedback/tests/test_public_pages.py proves a token
reads nothing, that expired and used tokens get a clear refusal, and the rate limit."""

from tests.security.policy import perm, public
from veracity.feedback.models import Question, Survey, SurveyInvitation, SurveyResponse


def WORLD(world):  # noqa: N802 (the hook's name)
    survey = Survey.objects.create(name="Sweep survey", title_en="Sweep")
    response = SurveyResponse.objects.create(survey=survey, customer=world.customer, rep=world.customer.owner,
                                             nps_score=5)
    question = survey.questions.create(kind="text", text_en="Why?", position=1)
    return {"survey": survey.pk, "response": response.pk, "question": question.pk}


FINGERPRINT_MODELS = [Survey, Question, SurveyInvitation, SurveyResponse]

POLICY = {
    "feedback:survey_list": perm("survey", "view"),
    "feedback:survey_create": perm("survey", "create", methods=("GET", "POST")),
    "feedback:survey_detail": perm("survey", "view", obj="survey"),
    "feedback:survey_edit": perm("survey", "edit", obj="survey", methods=("GET", "POST")),
    "feedback:survey_delete": perm("survey", "delete", obj="survey", methods=("POST",)),
    "feedback:question_add": perm("survey", "edit", obj="survey", methods=("POST",),
                                  body=lambda world: {"kind": "text", "text_en": "Sweep?"}),
    "feedback:question_delete": perm("survey", "edit", obj="survey", methods=("POST",)),
    "feedback:invitation_link": perm("survey", "edit", obj="survey", methods=("POST",)),
    "feedback:invitation_email": perm("survey", "edit", obj="survey", methods=("POST",)),
    "feedback:embed_code": perm("survey", "edit", obj="survey", methods=("POST",)),
    "feedback:response_list": perm("survey_response", "view"),
    "feedback:response_detail": perm("survey_response", "view", obj="response", owned=True),
    "feedback:analysis": perm("survey_response", "view"),
    # Their <token> is a survey link token, not the API token id of the accounts routes.
    "feedback:public_survey": public(methods=("GET", "POST"), path_params={"token": "sweep-not-a-token"}),
    "feedback:embed_survey": public(methods=("GET", "POST"), path_params={"token": "sweep-not-a-token"}),
    "GET /api/v1/surveys": perm("survey", "view"),
    "POST /api/v1/surveys": perm("survey", "create", body=lambda world: {"name": "Sweep", "title_en": "Sweep"}),
    "GET /api/v1/surveys/{survey_id}": perm("survey", "view", obj="survey"),
    "POST /api/v1/surveys/{survey_id}/invitations": perm("survey", "edit", obj="survey", body=lambda world: {}),
    "GET /api/v1/survey-responses": perm("survey_response", "view"),
    "GET /api/v1/survey-responses/{response_id}": perm("survey_response", "view", obj="response", owned=True),
    "GET /api/v1/feedback/nps": perm("survey_response", "view"),
}
