// Reads Kinesis record payloads (one JSON text per line on stdin) the way the AWS demo's Flink job
// reads them (amazon-timestream-tools integrations/flink_connector at commit 1acac3576b76: Gson
// into a HashMap<String, String>, the five keys matched case-insensitively, Long.parseLong for
// the time, the SDK enum for the measure type) and prints, per line, what the job would send to
// Timestream or why it would fail. Written for the tests, not copied from the job.
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class FlinkRecordCheck {
  private static final List<String> MEASURE_TYPES = Arrays.asList("DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN");

  public static void main(String[] args) throws Exception {
    Gson gson = new Gson();
    Type mapType = new TypeToken<HashMap<String, String>>() {}.getType();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      Map<String, Object> out = new TreeMap<>();
      try {
        HashMap<String, String> map = gson.fromJson(line, mapType);
        Map<String, String> dimensions = new TreeMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
          String value = e.getValue();
          switch (e.getKey().toLowerCase()) {
            case "time": out.put("time", Long.parseLong(value)); break;
            case "timeunit": out.put("timeUnit", value); break;
            case "measurename": out.put("measureName", value); break;
            case "measurevalue": out.put("measureValue", value); break;
            case "measurevaluetype":
              String type = value.toUpperCase();
              if (!MEASURE_TYPES.contains(type)) throw new IllegalArgumentException("Cannot create enum from " + type + " value!");
              out.put("measureValueType", type);
              break;
            default:
              if (value == null) throw new IllegalStateException("dimension " + e.getKey() + " is null");
              dimensions.put(e.getKey(), value);
          }
        }
        if (!out.containsKey("measureValueType")) throw new NullPointerException("no measure value type");
        out.put("dimensions", dimensions);
        out.put("ok", true);
      } catch (Exception e) {
        out.clear();
        out.put("ok", false);
        out.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      System.out.println(gson.toJson(out));
    }
  }
}
