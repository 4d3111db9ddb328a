package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What can be checked of the container and Kubernetes recipes without a container engine or a
 * cluster: the Dockerfile copies files that a build produces, its ports are the ones the container
 * config listens on (on 0.0.0.0), the YAML parses into the expected objects, and every embedded
 * Sluice config validates with the built distribution.
 */
class ContainerRecipesIT {
  private static final Path REPO = Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
  private static final Path DOCKERFILE = REPO.resolve("packaging/container/Dockerfile");
  private static final Path K8S = REPO.resolve("config-examples/kubernetes");
  private static final Pattern ENDPOINT = Pattern.compile("(?:endpoint|address)\\s*=\\s*\"([^\"]+):(\\d+)\"");

  @TempDir Path dir;

  @Test
  void everyDockerfileCopySourceExistsAfterTheBuild() throws Exception {
    List<String> sources = new ArrayList<>();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      String l = line.strip();
      if (l.startsWith("COPY ")) {
        List<String> words = List.of(l.substring(5).strip().split("\\s+"));
        assertThat(words.get(0)).as("COPY --from/--chown are not expected: %s", l).doesNotStartWith("--");
        sources.addAll(words.subList(0, words.size() - 1));
      }
    }
    assertThat(sources).contains("packaging/distribution/target/sluice/runtime", "packaging/distribution/target/sluice/lib",
        "packaging/distribution/target/sluice/bin", "packaging/container/sluice.conf");
    List<String> kept = Files.readAllLines(DOCKERFILE.resolveSibling("Dockerfile.dockerignore")).stream()
        .filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
    for (String s : sources) {
      assertThat(REPO.resolve(s)).as("COPY source %s (relative to the build context, the repository root)", s).exists();
      assertThat(kept).as("Dockerfile.dockerignore lets %s into the build context", s).anyMatch(s::startsWith);
    }
  }

  @Test
  void dockerfileRunsAsNonRootAndExposesWhatTheContainerConfigListensOnEverywhere() throws Exception {
    String dockerfile = Files.readString(DOCKERFILE);
    assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$")
        .contains("ENTRYPOINT [\"/opt/sluice/bin/sluice\"]")
        .contains("CMD [\"run\", \"--config\", \"/etc/sluice/sluice.conf\"]");
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
    assertThat(expose.find()).isTrue();
    List<String> exposed = List.of(expose.group(1).strip().split("\\s+"));

    Map<String, String> listeners = listeners(Files.readString(REPO.resolve("packaging/container/sluice.conf")));
    assertThat(listeners.values()).as("hosts of %s", listeners).containsOnly("0.0.0.0");
    assertThat(exposed).containsExactlyInAnyOrderElementsOf(listeners.keySet());
  }

  @Test
  @SuppressWarnings("unchecked")
  void sidecarDeploymentGivesBothContainersThePodIdentity() throws Exception {
    List<Map<String, Object>> docs = yaml(K8S.resolve("sidecar.yaml"));
    assertThat(docs).extracting(d -> d.get("kind")).containsExactly("ConfigMap", "Deployment");
    List<Map<String, Object>> containers = list(path(docs.get(1), "spec", "template", "spec", "containers"));
    assertThat(containers).extracting(c -> c.get("name")).containsExactly("app", "sluice");
    for (Map<String, Object> c : containers) {
      Map<String, Object> env = new LinkedHashMap<>();
      for (Map<String, Object> e : list(c.get("env"))) {
        env.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : path(e, "valueFrom", "fieldRef", "fieldPath"));
      }
      assertThat(env).as("env of container %s", c.get("name"))
          .containsEntry("K8S_POD_NAME", "metadata.name")
          .containsEntry("K8S_NAMESPACE_NAME", "metadata.namespace")
          .containsEntry("K8S_NODE_NAME", "spec.nodeName")
          .containsEntry("K8S_POD_UID", "metadata.uid")
          .containsEntry("OTEL_RESOURCE_ATTRIBUTES", "k8s.pod.name=$(K8S_POD_NAME),k8s.namespace.name=$(K8S_NAMESPACE_NAME),"
              + "k8s.node.name=$(K8S_NODE_NAME),k8s.pod.uid=$(K8S_POD_UID)");
    }
    assertThat((List<Object>) containers.get(1).get("args")).containsExactly("run", "--config", "/etc/sluice/sluice.conf");
  }

  @Test
  void gatewayServiceTargetsPortsTheDeploymentDeclares() throws Exception {
    List<Map<String, Object>> docs = yaml(K8S.resolve("gateway.yaml"));
    assertThat(docs).extracting(d -> d.get("kind")).containsExactly("ConfigMap", "Deployment", "Service");
    Map<String, Object> deployment = docs.get(1);
    Map<String, Object> service = docs.get(2);
    assertThat(path(service, "spec", "selector")).isEqualTo(path(deployment, "spec", "template", "metadata", "labels"));
    Map<String, Object> sluice = list(path(deployment, "spec", "template", "spec", "containers")).get(0);
    List<Object> portNames = list(sluice.get("ports")).stream().map(p -> p.get("name")).toList();
    assertThat(list(path(service, "spec", "ports"))).extracting(p -> p.get("targetPort")).isNotEmpty().isSubsetOf(portNames);
    assertThat(list(sluice.get("env"))).anySatisfy(e -> assertThat(e).containsEntry("name", "SLUICE_PROFILE").containsEntry("value", "gateway"));
  }

  @TestFactory
  Stream<DynamicTest> everyEmbeddedConfigValidates() throws Exception {
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put("packaging/container/sluice.conf", Files.readString(REPO.resolve("packaging/container/sluice.conf")));
    for (String file : List.of("sidecar.yaml", "gateway.yaml")) {
      for (Map<String, Object> doc : yaml(K8S.resolve(file))) {
        if ("ConfigMap".equals(doc.get("kind"))) {
          configs.put(file + " ConfigMap " + path(doc, "metadata", "name"), (String) path(doc, "data", "sluice.conf"));
        }
      }
    }
    return configs.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
      Path conf = Files.writeString(dir.resolve("recipe-" + Math.abs(c.getKey().hashCode()) + ".conf"), c.getValue());
      var r = SluiceProcess.run(dir, Map.of(), "validate", "--config", conf.toString());
      List<String> missing = r.output().lines().filter(l -> l.contains(": unknown ") && l.contains(" type \"")).toList();
      Assumptions.assumeTrue(r.exitCode() == 0 || missing.isEmpty(),
          () -> "components not bundled in this distribution yet, cannot validate " + c.getKey() + ":\n" + String.join("\n", missing));
      assertThat(r.exitCode()).as(r.output()).isZero();
    }));
  }

  /** Listening port to host, from every {@code endpoint}/{@code address} in a config. */
  private static Map<String, String> listeners(String conf) {
    Map<String, String> found = new LinkedHashMap<>();
    Matcher m = ENDPOINT.matcher(conf);
    while (m.find()) {
      found.put(m.group(2), m.group(1));
    }
    return found;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> yaml(Path file) throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
      assertThat(doc).as("a YAML document in %s", file).isInstanceOf(Map.class);
      Map<String, Object> map = (Map<String, Object>) doc;
      assertThat(map).as("a Kubernetes object in %s", file).containsKeys("apiVersion", "kind", "metadata");
      docs.add(map);
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Object path(Map<String, Object> map, String... keys) {
    Object current = map;
    for (String k : keys) {
      assertThat(current).as("parent of %s", k).isInstanceOf(Map.class);
      current = ((Map<String, Object>) current).get(k);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Map<String, Object>>) o;
  }
}
