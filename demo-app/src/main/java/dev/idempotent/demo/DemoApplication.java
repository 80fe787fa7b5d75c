package dev.idempotent.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/** An order and payment service whose operations are safe to call twice. */
@SpringBootApplication
@EnableScheduling
public class DemoApplication {

    public static void main(String[] args) {
        var context = SpringApplication.run(DemoApplication.class, args);
        if (context.containsBean("fileExportRunner")) {
            // a command-line export: exit with its code once it is done
            System.exit(SpringApplication.exit(context));
        }
    }
}
