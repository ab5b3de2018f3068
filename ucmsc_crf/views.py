from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    """Send each role to where it works: clinicians to the participant list, reviewers to the admin."""
    if request.user.has_perm("patients.view_participant"):
        return redirect("participant-list")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "home.html")
