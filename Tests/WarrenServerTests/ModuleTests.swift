import Testing

@testable import WarrenServer
