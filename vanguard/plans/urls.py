from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("generate/<int:campaign>/", views.plan_generate, name="plan_generate"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/orgs/", views.CoverageOrgListView.as_view(), name="coverage_orgs"),
    path("todo/", views.todo, name="todo"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("<int:pk>/review/", views.plan_review, name="plan_review"),
    path("<int:pk>/diff/", views.plan_diff, name="plan_diff"),
    path("<int:pk>/people/", views.assignable_people, name="assignable_people"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/people/", views.responsible_search, name="responsible_search"),
    path("tasks/<int:pk>/done/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/evidence/", views.task_evidence, name="task_evidence"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("letters/", views.LetterListView.as_view(), name="letter_list"),
    path("letters/generate/<int:campaign>/", views.letter_generate, name="letter_generate"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/acknowledge/", views.letter_acknowledge, name="letter_acknowledge"),
]
