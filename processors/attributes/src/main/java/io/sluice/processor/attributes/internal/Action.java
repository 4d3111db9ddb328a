package io.sluice.processor.attributes.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.api.SelfTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One attribute action, compiled from its {@link ActionConfig} at start-up. Each kind applies itself,
 * so applying a list of actions is one virtual call per action, not a look-up by name.
 */
sealed interface Action {

  /**
   * Applies the action to {@code cur}, which is {@code original} itself until an earlier action
   * copied it.
   *
   * @return the list to go on with: {@code cur}, or {@code original}'s copy on the first change
   */
  List<KeyValue> apply(List<KeyValue> cur, List<KeyValue> original, Actions.Run run);

  /** Compiles a validated action; {@code slot} is its position, {@code skipped} its skip counter. */
  static Action compile(ActionConfig c, int slot, SelfTelemetry.Counter skipped) {
    GoRegex re = c.pattern() == null || c.pattern().isEmpty() ? null : GoRegex.compile(c.pattern());
    Pattern pattern = re == null ? null : re.pattern();
    return switch (c.action()) {
      case "insert", "update", "upsert" -> new Write(Mode.valueOf(c.action().toUpperCase(Locale.ROOT)), c.key(),
          c.value() == null ? null : Actions.kv(c.key(), Actions.toAnyValue(c.value())),
          c.fromAttribute() == null || c.fromAttribute().isEmpty() ? null : c.fromAttribute(),
          c.fromContext() == null || c.fromContext().isEmpty() ? null : c.fromContext(), slot);
      case "delete" -> new Delete(new Keys(c.key(), pattern));
      case "hash" -> new Hash(new Keys(c.key(), pattern), skipped);
      case "extract" -> new Extract(c.key(), pattern, re.groups(), skipped);
      case "convert" -> new Convert(c.key(), c.convertedType(), skipped);
      default -> throw new IllegalArgumentException("unvalidated action " + c.action());
    };
  }

  /** {@code original}'s copy to change, made on the first change; {@code cur} once it is that copy. */
  private static List<KeyValue> writable(List<KeyValue> cur, List<KeyValue> original) {
    if (cur != original) {
      return cur;
    }
    // Room for an insert or two without growing: the common change is an added attribute.
    List<KeyValue> out = new ArrayList<>(original.size() + 2);
    out.addAll(original);
    return out;
  }

  enum Mode { INSERT, UPDATE, UPSERT }

  /**
   * {@code insert} / {@code update} / {@code upsert} from exactly one source: {@code entry} (a
   * configured value, built once), {@code fromAttribute}, or {@code fromContext}, whose entry the
   * {@link Actions.Run} resolves once per request and keeps at {@code slot}.
   */
  record Write(Mode mode, String key, KeyValue entry, String fromAttribute, String fromContext, int slot)
      implements Action {
    @Override
    public List<KeyValue> apply(List<KeyValue> cur, List<KeyValue> original, Actions.Run run) {
      int idx = Actions.indexOf(cur, key);
      if ((mode == Mode.INSERT && idx >= 0) || (mode == Mode.UPDATE && idx < 0)) {
        return cur;
      }
      KeyValue e = entry != null ? entry : fromAttribute != null ? copied(cur) : run.contextEntry(slot);
      if (e == null || (idx >= 0 && cur.get(idx).getValue().equals(e.getValue()))) {
        return cur;
      }
      List<KeyValue> out = writable(cur, original);
      if (idx >= 0) {
        out.set(idx, e);
      } else {
        out.add(e);
      }
      return out;
    }

    private KeyValue copied(List<KeyValue> cur) {
      int i = Actions.indexOf(cur, fromAttribute);
      return i < 0 ? null : Actions.kv(key, cur.get(i).getValue());
    }
  }

  /** {@code delete} by key or key pattern. */
  record Delete(Keys keys) implements Action {
    @Override
    public List<KeyValue> apply(List<KeyValue> cur, List<KeyValue> original, Actions.Run run) {
      for (int i = cur.size() - 1; i >= 0; i--) {
        if (keys.matches(cur.get(i).getKey())) {
          cur = writable(cur, original);
          cur.remove(i);
        }
      }
      return cur;
    }
  }

  /** {@code hash} by key or key pattern; values of other types than string, int, double, bool are skipped. */
  record Hash(Keys keys, SelfTelemetry.Counter skipped) implements Action {
    @Override
    public List<KeyValue> apply(List<KeyValue> cur, List<KeyValue> original, Actions.Run run) {
      for (int i = 0; i < cur.size(); i++) {
        KeyValue kv = cur.get(i);
        if (keys.matches(kv.getKey())) {
          AnyValue hashed = run.hash(kv.getValue());
          if (hashed == null) {
            skipped.increment();
            continue;
          }
          cur = writable(cur, original);
          cur.set(i, Actions.kv(kv.getKey(), hashed));
        }
      }
      return cur;
    }
  }

  /** {@code extract}: the named groups of {@code pattern} in {@code key}'s string value become attributes. */
  record Extract(String key, Pattern pattern, Map<String, String> groups, SelfTelemetry.Counter skipped)
      implements Action {
    @Override
    public List<KeyValue> apply(List<KeyValue> cur, List<KeyValue> original, Actions.Run run) {
      int idx = Actions.indexOf(cur, key);
      if (idx < 0) {
        return cur;
      }
      AnyValue v = cur.get(idx).getValue();
      Matcher m = v.hasStringValue() ? pattern.matcher(v.getStringValue()) : null;
      if (m == null || !m.find()) {
        skipped.increment();
        return cur;
      }
      List<KeyValue> out = writable(cur, original);
      for (Map.Entry<String, String> g : groups.entrySet()) {
        String s = m.group(g.getKey());
        if (s != null) {
          KeyValue e = Actions.kv(g.getValue(), Actions.str(s));
          int at = Actions.indexOf(out, g.getValue());
          if (at >= 0) {
            out.set(at, e);
          } else {
            out.add(e);
          }
        }
      }
      return out;
    }
  }

  /** {@code convert} to {@code int}, {@code double} or {@code string}. */
  record Convert(String key, String type, SelfTelemetry.Counter skipped) implements Action {
    @Override
    public List<KeyValue> apply(List<KeyValue> cur, List<KeyValue> original, Actions.Run run) {
      int idx = Actions.indexOf(cur, key);
      if (idx < 0) {
        return cur;
      }
      AnyValue from = cur.get(idx).getValue();
      AnyValue to = Actions.convert(from, type);
      if (to == null) {
        skipped.increment();
        return cur;
      }
      if (to.equals(from)) {
        return cur;
      }
      List<KeyValue> out = writable(cur, original);
      out.set(idx, Actions.kv(key, to));
      return out;
    }
  }

  /** The attributes an action works on: one key, or every key a pattern finds a match in. */
  record Keys(String key, Pattern pattern) {
    boolean matches(String k) {
      // The Collector matches key patterns anywhere in the key (Go regexp MatchString).
      return pattern != null ? pattern.matcher(k).find() : k.equals(key);
    }
  }
}
