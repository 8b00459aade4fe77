"""Which hosts a node must reach over HTTPS to pull an image: the registry's API host and where it serves layers.

A registry answers a pull with a redirect to its blob storage, so allowing only the registry's name leaves pods in
ImagePullBackOff behind a firewall. Sources are each registry's own allow-list documentation.
"""

from __future__ import annotations

from config.model import Spoke

DOCKER_HUB = "docker.io"
# Docker: docs.docker.com "Allowlist" (auth, registry, and the CDN and R2 bucket that serve layers).
# MCR: learn.microsoft.com outbound-rules-control-egress (the data endpoints serve layers).
# GitHub: docs.github.com "About GitHub Packages" (ghcr.io, layers from pkg-containers.githubusercontent.com).
# Quay: access.redhat.com "Quay.io firewall" (cdn01-03.quay.io serve layers).
# Not here: registry.k8s.io redirects to cloud buckets whose names Azure Firewall can't match (a wildcard may only
# lead an FQDN, firewall-faq), so its images need hub.firewall.egressFqdns or a mirror.
PULL_HOSTS: dict[str, tuple[str, ...]] = {
    DOCKER_HUB: ("registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com", "production.cloudfront.docker.com",
                 "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"),
    "mcr.microsoft.com": ("mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net"),
    "ghcr.io": ("ghcr.io", "pkg-containers.githubusercontent.com"),
    "quay.io": ("quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"),
}
AZURE_CONTAINER_REGISTRY_SUFFIX = ".azurecr.io"


def registry_of(image: str) -> str:
    """The registry host of an image reference, as container runtimes resolve it (docker.io when none is named)."""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return DOCKER_HUB


def pull_hosts(registry: str, location: str) -> tuple[str, ...] | None:
    """Hosts to allow for a registry; None when this program doesn't know where the registry serves layers.

    Azure Container Registry: the login server and the dedicated data endpoint of a registry in the stack's region,
    the setup Learn recommends behind a firewall (container-registry-dedicated-data-endpoints). A registry without
    dedicated data endpoints serves layers from *.blob.core.windows.net: list what you allow in hub.firewall.egressFqdns.
    """
    if registry in PULL_HOSTS:
        return PULL_HOSTS[registry]
    if registry.endswith(AZURE_CONTAINER_REGISTRY_SUFFIX):
        name = registry.removesuffix(AZURE_CONTAINER_REGISTRY_SUFFIX)
        return (registry, f"{name}.{location}.data.azurecr.io")
    return None


PORT_MAP_IMAGE = "alpine/socat:1.8.0.1"  # the sidecar that maps a pod port to the app's port (internal_service)


def spoke_images(spoke: Spoke) -> list[tuple[tuple[str | int, ...], str]]:
    """(config path relative to the spoke, image) of every container the spoke's cluster runs for this stack."""
    if spoke.aks is None:
        return []
    images: list[tuple[tuple[str | int, ...], str]] = []
    for j, service in enumerate(spoke.aks.internal_services):
        if service.app is None:
            continue
        path = ("aks", "internalServices", j, "app")
        images.append(((*path, "image"), service.app.image))
        if service.app.container_port != service.target_port:
            images.append(((*path, "containerPort"), PORT_MAP_IMAGE))
    return images
