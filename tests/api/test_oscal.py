"""The catalogue and the role profiles in OSCAL through the API, validated with
compliance-trestle's models (a schema-invalid document fails here)."""

from trestle.oscal.catalog import Catalog
from trestle.oscal.profile import Profile

from principles.catalogue import live_catalogue


def test_oscal_catalog_through_the_api(officer_api):
    response = officer_api.get("/api/catalogue/oscal/catalog.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    catalog = Catalog.parse_obj(response.json()["catalog"])
    catalogue = live_catalogue()
    assert len(catalog.groups) == len(catalogue.principles)
    assert sum(len(g.controls) for g in catalog.groups) == len(list(catalogue.questions()))


def test_oscal_profile_of_a_role(officer_api):
    response = officer_api.get("/api/catalogue/oscal/profile-development.json")
    assert response.status_code == 200
    profile = Profile.parse_obj(response.json()["profile"])
    wanted = [q for q in live_catalogue().questions() if q.weights.get("development", 0) > 0]
    assert len(profile.imports[0].include_controls[0].with_ids) == len(wanted)


def test_unknown_role_is_a_json_404(officer_api):
    response = officer_api.get("/api/catalogue/oscal/profile-astrology.json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_oscal_needs_a_token(client):
    response = client.get("/api/catalogue/oscal/catalog.json")
    assert response.status_code in (401, 403)
