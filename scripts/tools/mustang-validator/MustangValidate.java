// Runs the Mustang project's validator (org.mustangproject:validator, whose artifact on Maven Central is a library
// without a command line) on each file named, in one JVM, so a test pays the JVM's and veraPDF's start once for many
// invoices. For each file it writes Mustang's XML report beside it as <file>.validation.xml and prints one line
// "<valid|invalid>\t<file>". Exit status: 0 when every file was completely valid, 1 otherwise, 2 on a usage error.
// Compiled by scripts/provision.mjs into the tool's cache folder.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mustangproject.validator.ZUGFeRDValidator;

public final class MustangValidate {
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: mustang-validator <file.pdf|file.xml>...");
      System.exit(2);
    }
    boolean allValid = true;
    for (String file : args) {
      ZUGFeRDValidator validator = new ZUGFeRDValidator();
      String report = validator.validate(file);
      Files.writeString(Path.of(file + ".validation.xml"), report, StandardCharsets.UTF_8);
      boolean valid = validator.wasCompletelyValid();
      allValid &= valid;
      System.out.println((valid ? "valid" : "invalid") + "\t" + file);
    }
    System.exit(allValid ? 0 : 1);
  }
}
