from services.distribution.main import main

main()
