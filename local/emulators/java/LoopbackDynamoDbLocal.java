import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.BindException;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local (3.x) listening on 127.0.0.1 only.
 *
 * DynamoDB Local has no listen-address flag: its DynamoDBProxyServer builds a Jetty
 * {@code new Server(port)}, whose single ServerConnector binds every interface. This launcher
 * builds the server exactly as DynamoDB Local's own main does
 * ({@code ServerRunner.createServerFromCommandLineArgs}), sets the connector's host to 127.0.0.1
 * through the private {@code server} field, then starts it. Arguments are DynamoDB Local's own
 * ({@code -inMemory -port 8123 ...}).
 *
 * It also exits as soon as its standard input reaches end of file or fails: the Node process that
 * spawned it holds the other end of that pipe, so when that process dies, even by SIGKILL, the
 * pipe closes and DynamoDB Local goes with it.
 *
 * Exit codes: 98 the port could not be bound (the caller may retry on another port); 70 the jar
 * no longer has the shape this launcher expects; 0 standard input closed.
 */
public final class LoopbackDynamoDbLocal {
  private static final String HOST = "127.0.0.1";
  private static final int EXIT_BIND_FAILED = 98;
  private static final int EXIT_INCOMPATIBLE_JAR = 70;

  private LoopbackDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    exitWhenStdinCloses();

    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Server jetty = jettyServerOf(proxy);
    ServerConnector connector = onlyServerConnectorOf(jetty);
    connector.setHost(HOST);

    // A port already in use surfaces as an IOException caused by a BindException (Jetty 12), or,
    // were it a bare SocketException, DynamoDBProxyServer.start() would print it and stop Jetty
    // without rethrowing: so also check that the connector really is listening.
    try {
      proxy.start();
    } catch (Exception e) {
      if (!causedByBindException(e)) throw e;
      cannotListen(connector, e);
    }
    if (!jetty.isStarted() || !connector.isOpen() || connector.getLocalPort() <= 0) {
      cannotListen(connector, null);
    }
    System.out.println("LoopbackDynamoDbLocal: listening on " + connector.getHost() + ":" + connector.getLocalPort());
    System.out.flush();
    proxy.join();
  }

  private static boolean causedByBindException(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException) return true;
    }
    return false;
  }

  private static void cannotListen(ServerConnector connector, Exception e) {
    String why = e == null ? "" : ": " + (e.getCause() != null ? e.getCause() : e);
    System.err.println("LoopbackDynamoDbLocal: could not listen on " + HOST + ":" + connector.getPort() + why);
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_BIND_FAILED);
  }

  private static Server jettyServerOf(DynamoDBProxyServer proxy) {
    try {
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      return (Server) field.get(proxy);
    } catch (ReflectiveOperationException | ClassCastException | SecurityException e) {
      return incompatible("DynamoDBProxyServer has no Jetty Server field named 'server' (" + e + ")");
    }
  }

  private static ServerConnector onlyServerConnectorOf(Server jetty) {
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length != 1 || !(connectors[0] instanceof ServerConnector)) {
      return incompatible("expected exactly one Jetty ServerConnector, found " + connectors.length + " connector(s)");
    }
    return (ServerConnector) connectors[0];
  }

  private static <T> T incompatible(String why) {
    System.err.println("LoopbackDynamoDbLocal: this DynamoDB Local jar is not supported: " + why);
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_INCOMPATIBLE_JAR);
    throw new IllegalStateException(why);
  }

  /** A daemon thread that halts the JVM once standard input ends: the parent has gone. */
  private static void exitWhenStdinCloses() {
    Thread watcher = new Thread(() -> {
      InputStream in = System.in;
      byte[] buffer = new byte[256];
      try {
        while (in.read(buffer) >= 0) {
          // The parent never writes; anything it does write is ignored.
        }
      } catch (IOException e) {
        // A broken pipe means the same thing as end of file.
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
