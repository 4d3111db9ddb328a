package io.sluice.cli;

import io.sluice.core.config.ConfigIssue;
import io.sluice.core.internal.Json;
import java.io.PrintWriter;
import java.util.List;

/** Prints configuration problems as text (one per line) or JSON. */
final class Problems {
  private Problems() {}

  static void print(List<ConfigIssue> issues, String format, PrintWriter out) {
    if ("json".equals(format)) {
      StringBuilder sb = new StringBuilder("{\"valid\":").append(issues.isEmpty()).append(",\"problems\":[");
      for (int i = 0; i < issues.size(); i++) {
        ConfigIssue issue = issues.get(i);
        if (i > 0) {
          sb.append(',');
        }
        sb.append("{\"file\":").append(Json.quote(issue.file()))
            .append(",\"line\":").append(issue.line())
            .append(",\"path\":").append(Json.quote(issue.path()))
            .append(",\"message\":").append(Json.quote(issue.message()))
            .append('}');
      }
      out.println(sb.append("]}"));
    } else {
      for (ConfigIssue issue : issues) {
        out.println(issue.format());
      }
      if (!issues.isEmpty()) {
        out.println(issues.size() + (issues.size() == 1 ? " problem" : " problems") + " found");
      }
    }
    out.flush();
  }
}
